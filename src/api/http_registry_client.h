#pragma once

#include "api/api_config.h"
#include "api/registry_client.h"
#include "common/scrub_location.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace glance::common::auth {
class ServiceToken;
}

namespace glance::api {

class RegistryClientMetrics;

// RegistryClient over HTTP/1.1 (or HTTPS) to glance-registry on the common HttpClient, whose
// keep-alive pool (upstream opens one connection per call) drops connections the registry
// closed while idle. Connecting is bounded by connect_timeout, every read and write by
// registry_client_timeout; a failure gives `unavailable`, and the next call simply tries
// again, so the api recovers by itself when the registry returns.
// A failed call is repeated once only when repeating cannot do harm: GET and HEAD always;
// PUT, POST and DELETE only when the registry cannot have received the whole request (no
// connection, or the body not completely written). Any other failure of a write is an
// unknown outcome, reported as `unavailable`: the registry may have applied it.
// Forwards X-Openstack-Request-ID, the caller's token (unless use_user_token is off), and
// with send_identity_headers the caller's identity. With `own_token` (use_user_token = False
// with admin credentials), every call carries that token instead, renewed once when the
// registry refuses it; a token Keystone will not give makes the call `unavailable`.
// Safe for concurrent calls; must outlive every call in flight, and `own_token` must
// outlive it.
//
// `Resource::v2_images` sends the image calls (list, get, create, update, remove) to the
// registry's /v2/images resource, whose images carry Glance v2's fields and whose lists
// follow v2's rules; members and the other calls are the same for both.
class HttpRegistryClient final : public RegistryClient {
 public:
  enum class Resource { v1_images, v2_images };
  explicit HttpRegistryClient(RegistryClientConfig config, Resource resource = Resource::v1_images,
                              common::auth::ServiceToken* own_token = nullptr);
  ~HttpRegistryClient() override;
  // Counts every call from now on (nullptr: none). Call before the first call; `metrics` must
  // outlive this client.
  void set_metrics(RegistryClientMetrics* metrics);

  // glance::api::RegistryClient
  Call<std::vector<common::Image>> list(const Caller& caller,
                                        const common::http::QueryParams& params,
                                        bool detail) override;
  Call<std::unique_ptr<RegistryImageStream>> list_stream(const Caller& caller,
                                                         const common::http::QueryParams& params,
                                                         bool detail) override;
  Call<common::Image> get(const Caller& caller, const std::string& id) override;
  Call<common::Image> create(const Caller& caller, const common::ImageFields& fields) override;
  Call<common::Image> update(const Caller& caller, const std::string& id,
                             const common::ImageFields& fields, bool purge,
                             std::optional<common::ImageStatus> from_state) override;
  Call<common::Image> remove(const Caller& caller, const std::string& id) override;
  Call<int64_t> storage_usage(const Caller& caller, const std::string& owner,
                              const std::string& exclude_image) override;
  Call<Reservation> reserve_storage(const Caller& caller, const std::string& id, int64_t size,
                                    int64_t quota) override;
  Call<std::string> health(const Caller& caller) override;
  Call<void> add_tag(const Caller& caller, const std::string& image_id, const std::string& tag,
                     std::optional<int64_t> tag_quota) override;
  Call<void> remove_tag(const Caller& caller, const std::string& image_id,
                        const std::string& tag) override;
  Call<std::vector<common::Membership>> list_members(const Caller& caller,
                                                     const std::string& image_id) override;
  Call<void> replace_members(const Caller& caller, const std::string& image_id,
                             const nlohmann::json& body,
                             std::optional<int64_t> member_quota) override;
  Call<void> add_member(const Caller& caller, const std::string& image_id,
                        const std::string& member, std::optional<bool> can_share,
                        std::optional<int64_t> member_quota) override;
  Call<void> remove_member(const Caller& caller, const std::string& image_id,
                           const std::string& member) override;
  Call<std::vector<common::SharedImage>> shared_images(const Caller& caller,
                                                       const std::string& member) override;
  Call<std::vector<common::ImageMembership>> list_memberships(const Caller& caller,
                                                              const std::string& image_id) override;
  Call<common::ImageMembership> get_membership(const Caller& caller, const std::string& image_id,
                                               const std::string& member) override;
  Call<common::ImageMembership> create_membership(const Caller& caller, const std::string& image_id,
                                                  const std::string& member,
                                                  std::optional<int64_t> member_quota) override;
  Call<common::ImageMembership> set_member_status(const Caller& caller, const std::string& image_id,
                                                  const std::string& member,
                                                  common::MemberStatus status) override;
  Call<void> delete_membership(const Caller& caller, const std::string& image_id,
                               const std::string& member) override;

  // glance-scrubber's calls, admin only, on the v1 resource (the registry's
  // /images/{id}/scrubber/... routes; their rules are the registry's ScrubRepository's).
  // claim_scrub: the pending_delete image with its pending_delete locations, now claimed for
  // `lease`; conflict when it is not pending_delete or claimed elsewhere. finish_scrub: marks
  // the `scrubbed` locations deleted and the image deleted when none is left pending, else
  // releases the claim. restore_pending: the image back to active with its live locations;
  // conflict when it is not pending_delete or being scrubbed.
  Call<common::Image> claim_scrub(const Caller& caller, const std::string& id,
                                  std::chrono::seconds lease);
  Call<common::Image> finish_scrub(const Caller& caller, const std::string& id,
                                   const std::vector<int64_t>& scrubbed);
  Call<common::Image> restore_pending(const Caller& caller, const std::string& id,
                                      std::chrono::seconds lease);
  // The same for the locations removed from images with delayed_delete: the pending_delete
  // ones of images not pending_delete, by row id after `after` (a page of at most `limit`);
  // a claim of one (conflict when claimed elsewhere, not pending_delete, or its image is);
  // its finish, which marks it deleted when `scrubbed`, else releases the claim.
  Call<std::vector<common::PendingLocation>> list_pending_locations(const Caller& caller,
                                                                    int64_t after, int limit);
  Call<common::LocationClaim> claim_location_scrub(const Caller& caller,
                                                   const std::string& image_id, int64_t location_id,
                                                   std::chrono::seconds lease);
  Call<common::ImageLocation> finish_location_scrub(const Caller& caller,
                                                    const std::string& image_id,
                                                    int64_t location_id, bool scrubbed);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace glance::api
