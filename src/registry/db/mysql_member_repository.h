#pragma once

#include "common/clock.h"
#include "registry/db/mysql_connection.h"
#include "registry/member_repository.h"

namespace glance::registry {

// MemberRepository on MySQL; threading as MysqlImageRepository.
class MysqlMemberRepository final : public MemberRepository {
 public:
  explicit MysqlMemberRepository(const common::Clock& clock) : clock_(clock) {}

  // glance::registry::MemberRepository
  Result<std::vector<Membership>> list(MysqlConnection& db, const common::RequestContext& ctx,
                                       const std::string& image_id) override;
  Result<void> replace(MysqlConnection& db, const common::RequestContext& ctx,
                       const std::string& image_id, const std::vector<MembershipChange>& members,
                       std::optional<int64_t> member_quota) override;
  Result<void> add(MysqlConnection& db, const common::RequestContext& ctx,
                   const std::string& image_id, const std::string& member,
                   std::optional<bool> can_share, std::optional<int64_t> member_quota) override;
  Result<void> remove(MysqlConnection& db, const common::RequestContext& ctx,
                      const std::string& image_id, const std::string& member) override;
  Result<std::vector<Membership>> settled_members(MysqlConnection& db,
                                                  const std::string& image_id) override;
  Result<std::vector<SharedImage>> shared_with(MysqlConnection& db,
                                               const common::RequestContext& ctx,
                                               const std::string& member) override;

  Result<std::vector<ImageMembership>> memberships(MysqlConnection& db,
                                                   const common::RequestContext& ctx,
                                                   const std::string& image_id) override;
  Result<ImageMembership> membership(MysqlConnection& db, const common::RequestContext& ctx,
                                     const std::string& image_id,
                                     const std::string& member) override;
  Result<ImageMembership> create_membership(MysqlConnection& db, const common::RequestContext& ctx,
                                            const std::string& image_id, const std::string& member,
                                            std::optional<int64_t> member_quota,
                                            common::TimePoint at) override;
  Result<ImageMembership> set_member_status(MysqlConnection& db, const common::RequestContext& ctx,
                                            const std::string& image_id, const std::string& member,
                                            MemberStatus status) override;
  Result<std::optional<ImageMembership>> settled_membership(MysqlConnection& db,
                                                            const std::string& image_id,
                                                            const std::string& member) override;

 private:
  Result<void> check_can_share(MysqlConnection& db, const common::RequestContext& ctx,
                               const std::string& image_id);
  Result<void> upsert(MysqlConnection& db, const std::string& image_id, const std::string& member,
                      std::optional<bool> can_share, bool touch_existing_without_can_share,
                      const std::string& now);

  const common::Clock& clock_;
};

}  // namespace glance::registry
