#pragma once

#include "api/registry_client.h"

#include <functional>
#include <map>
#include <mutex>

namespace glance::testing {

// The far side of the api's registry seam, in memory: images by id, status compare-and-set
// as the registry does it (conflict on a from_state mismatch), memberships without sharing
// permission checks or member quota (the quotas passed are recorded), no visibility rules;
// v2 memberships apart from v1's, with only the duplicate (conflict) and missing (not_found)
// rules.
// A hook
// runs before each update so tests can change the world mid-upload. Thread-safe.
class FakeRegistryClient final : public api::RegistryClient {
 public:
  // Adds an image as if the registry had created it.
  void put(common::Image image);
  common::Image at(const std::string& id) const;
  std::function<void(FakeRegistryClient&, const std::string& id, const common::ImageFields&)>
      before_update;
  // The member_quota of each member write, in order.
  std::vector<std::optional<int64_t>> member_quotas() const;

  // glance::api::RegistryClient
  Call<std::vector<common::Image>> list(const api::Caller& caller,
                                        const common::http::QueryParams& params,
                                        bool detail) override;
  // The same images as the registry's list answer would carry them.
  Call<std::unique_ptr<api::RegistryImageStream>> list_stream(
      const api::Caller& caller, const common::http::QueryParams& params, bool detail) override;
  Call<common::Image> get(const api::Caller& caller, const std::string& id) override;
  Call<common::Image> create(const api::Caller& caller, const common::ImageFields& fields) override;
  Call<common::Image> update(const api::Caller& caller, const std::string& id,
                             const common::ImageFields& fields, bool purge,
                             std::optional<common::ImageStatus> from_state) override;
  Call<common::Image> remove(const api::Caller& caller, const std::string& id) override;
  Call<int64_t> storage_usage(const api::Caller& caller, const std::string& owner,
                              const std::string& exclude_image) override;
  Call<Reservation> reserve_storage(const api::Caller& caller, const std::string& id, int64_t size,
                                    int64_t quota) override;
  Call<std::string> health(const api::Caller& caller) override;
  Call<void> add_tag(const api::Caller& caller, const std::string& image_id, const std::string& tag,
                     std::optional<int64_t> tag_quota) override;
  Call<void> remove_tag(const api::Caller& caller, const std::string& image_id,
                        const std::string& tag) override;
  Call<std::vector<common::Membership>> list_members(const api::Caller& caller,
                                                     const std::string& image_id) override;
  Call<void> replace_members(const api::Caller& caller, const std::string& image_id,
                             const nlohmann::json& body,
                             std::optional<int64_t> member_quota) override;
  Call<void> add_member(const api::Caller& caller, const std::string& image_id,
                        const std::string& member, std::optional<bool> can_share,
                        std::optional<int64_t> member_quota) override;
  Call<void> remove_member(const api::Caller& caller, const std::string& image_id,
                           const std::string& member) override;
  Call<std::vector<common::SharedImage>> shared_images(const api::Caller& caller,
                                                       const std::string& member) override;
  Call<std::vector<common::ImageMembership>> list_memberships(const api::Caller& caller,
                                                              const std::string& image_id) override;
  Call<common::ImageMembership> get_membership(const api::Caller& caller,
                                               const std::string& image_id,
                                               const std::string& member) override;
  Call<common::ImageMembership> create_membership(const api::Caller& caller,
                                                  const std::string& image_id,
                                                  const std::string& member,
                                                  std::optional<int64_t> member_quota) override;
  Call<common::ImageMembership> set_member_status(const api::Caller& caller,
                                                  const std::string& image_id,
                                                  const std::string& member,
                                                  common::MemberStatus status) override;
  Call<void> delete_membership(const api::Caller& caller, const std::string& image_id,
                               const std::string& member) override;

 private:
  common::Result<common::Image> apply(const std::string& id, const common::ImageFields& fields,
                                      std::optional<common::ImageStatus> from_state);
  mutable std::mutex mutex_;
  std::map<std::string, common::Image> images_;
  std::map<std::string, std::vector<common::Membership>> members_;  // by image id
  std::vector<std::optional<int64_t>> member_quotas_;
  std::map<std::string, std::vector<common::ImageMembership>> memberships_;  // v2, by image id
  int next_id_ = 0;
};

}  // namespace glance::testing
