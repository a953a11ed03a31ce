#pragma once

#include "api/registry_image_stream.h"
#include "common/error.h"
#include "common/http/query_string.h"
#include "common/image.h"
#include "common/image_member.h"
#include "common/image_membership.h"
#include "common/request_context.h"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace glance::api {

// On whose behalf a registry call is made: the caller's context and the api's request id,
// both forwarded to the registry.
struct Caller {
  common::RequestContext context;
  std::string request_id;
};

// The api's only way to image metadata. Implementations must be safe for
// concurrent calls from any number of sessions. Errors carry the registry's answer mapped
// back to Errc (registry_errors.h); an unreachable registry is `unavailable`.
class RegistryClient {
 public:
  template <class T>
  using Call = boost::asio::awaitable<common::Result<T>>;

  virtual ~RegistryClient() = default;
  // GET /images or /images/detail with the filters, sorting and paging passed through, the
  // whole page.
  virtual Call<std::vector<common::Image>> list(const Caller& caller,
                                                const common::http::QueryParams& params,
                                                bool detail) = 0;
  // The same list read as it arrives, an image at a time (RegistryImageStream), for pages
  // passed on to a client: the registry's answer was a success when this returns; what is
  // wrong in its body shows in the stream.
  virtual Call<std::unique_ptr<RegistryImageStream>> list_stream(
      const Caller& caller, const common::http::QueryParams& params, bool detail) = 0;
  virtual Call<common::Image> get(const Caller& caller, const std::string& id) = 0;
  virtual Call<common::Image> create(const Caller& caller, const common::ImageFields& fields) = 0;
  // PUT with optional compare-and-set on the current status; `purge` replaces the property
  // set with the one given.
  virtual Call<common::Image> update(const Caller& caller, const std::string& id,
                                     const common::ImageFields& fields, bool purge,
                                     std::optional<common::ImageStatus> from_state) = 0;
  virtual Call<common::Image> remove(const Caller& caller, const std::string& id) = 0;
  // Bytes stored for `owner`, leaving out `exclude_image` (user_storage_quota).
  virtual Call<int64_t> storage_usage(const Caller& caller, const std::string& owner,
                                      const std::string& exclude_image) = 0;
  // Reserves `size` bytes of the user_storage_quota (`quota` bytes) for the saving image
  // `id`, atomically against concurrent reservations of the same owner. The answer says
  // whether it fitted and the owner's usage besides this image. conflict when the image is
  // no longer saving.
  struct Reservation {
    bool reserved = false;
    int64_t usage = 0;
  };
  virtual Call<Reservation> reserve_storage(const Caller& caller, const std::string& id,
                                            int64_t size, int64_t quota) = 0;
  // The registry's detailed health report (JSON text, database reachability included) when
  // it answers 200; unavailable with the reason otherwise.
  virtual Call<std::string> health(const Caller& caller) = 0;

  // One tag of an image, added or removed atomically in the registry (never a read, change
  // and write back of the tag list here). add_tag is a no-op for a tag the image has;
  // `tag_quota` (image_tag_quota; nullopt for no limit) is checked in the write's
  // transaction: payload_too_large past it. remove_tag: not_found when the image lacks it.
  virtual Call<void> add_tag(const Caller& caller, const std::string& image_id,
                             const std::string& tag, std::optional<int64_t> tag_quota) = 0;
  virtual Call<void> remove_tag(const Caller& caller, const std::string& image_id,
                                const std::string& tag) = 0;

  // Members. The registry applies sharing permission (forbidden
  // when the caller may not share the image) and lists only the rows the caller may see.
  virtual Call<std::vector<common::Membership>> list_members(const Caller& caller,
                                                             const std::string& image_id) = 0;
  // `member_quota` (image_member_quota; nullopt for no limit) is checked by the registry in
  // the write's transaction, counting every member of the image: payload_too_large past it.
  // Replaces the member list; `body` is the {"memberships": [...]} document, forwarded as is
  // so that the registry words any fault in it (bad_request).
  virtual Call<void> replace_members(const Caller& caller, const std::string& image_id,
                                     const nlohmann::json& body,
                                     std::optional<int64_t> member_quota) = 0;
  // Adds or updates one member; with no `can_share` an existing row is left unchanged.
  virtual Call<void> add_member(const Caller& caller, const std::string& image_id,
                                const std::string& member, std::optional<bool> can_share,
                                std::optional<int64_t> member_quota) = 0;
  // Fails with not_found when `member` has no live membership of the image.
  virtual Call<void> remove_member(const Caller& caller, const std::string& image_id,
                                   const std::string& member) = 0;
  virtual Call<std::vector<common::SharedImage>> shared_images(const Caller& caller,
                                                               const std::string& member) = 0;

  // Glance v2's members, with status (the registry's /v2/images/{id}/members routes). The
  // registry applies upstream v2's rules (MemberRepository); the api checks them first in
  // upstream's order. create_membership: conflict for a live member, payload_too_large past
  // `member_quota`, forbidden for an image that is not shared or not the caller's.
  virtual Call<std::vector<common::ImageMembership>> list_memberships(
      const Caller& caller, const std::string& image_id) = 0;
  virtual Call<common::ImageMembership> get_membership(const Caller& caller,
                                                       const std::string& image_id,
                                                       const std::string& member) = 0;
  virtual Call<common::ImageMembership> create_membership(const Caller& caller,
                                                          const std::string& image_id,
                                                          const std::string& member,
                                                          std::optional<int64_t> member_quota) = 0;
  // forbidden unless the caller is `member` or admin.
  virtual Call<common::ImageMembership> set_member_status(const Caller& caller,
                                                          const std::string& image_id,
                                                          const std::string& member,
                                                          common::MemberStatus status) = 0;
  virtual Call<void> delete_membership(const Caller& caller, const std::string& image_id,
                                       const std::string& member) = 0;
};

}  // namespace glance::api
