#pragma once

#include "common/error.h"
#include "common/image_member.h"
#include "common/request_context.h"

#include <optional>
#include <string>
#include <vector>

namespace glance::registry {

class MysqlConnection;

using common::Error;
using common::Result;

using common::Membership;
using common::SharedImage;

// One entry of a whole-list replacement; can_share absent keeps an existing member's value.
struct MembershipChange {
  std::string member_id;
  std::optional<bool> can_share;
};

// Image memberships (spec §6, §8.2.4). Blocking and on the given connection like
// ImageRepository; each write commits in one transaction. Same error rules, plus
// forbidden ("No permission to share that image") when the caller may not manage members,
// and not_found ("Membership could not be found.") when removing a non-member.
class MemberRepository {
 public:
  virtual ~MemberRepository() = default;

  // Non-admins see only memberships of images they own, or their own membership.
  virtual Result<std::vector<Membership>> list(MysqlConnection& db,
                                               const common::RequestContext& ctx,
                                               const std::string& image_id) = 0;
  // Makes the live member set exactly `members`; soft-deleted rows are reused.
  virtual Result<void> replace(MysqlConnection& db, const common::RequestContext& ctx,
                               const std::string& image_id,
                               const std::vector<MembershipChange>& members) = 0;
  // Adds a member, or with can_share given updates (and undeletes) an existing one.
  virtual Result<void> add(MysqlConnection& db, const common::RequestContext& ctx,
                           const std::string& image_id, const std::string& member,
                           std::optional<bool> can_share) = 0;
  virtual Result<void> remove(MysqlConnection& db, const common::RequestContext& ctx,
                              const std::string& image_id, const std::string& member) = 0;
  // The number of live members of the image, all of them (image_member_quota), for a
  // caller who may share it; forbidden otherwise.
  virtual Result<int64_t> count(MysqlConnection& db, const common::RequestContext& ctx,
                                const std::string& image_id) = 0;
  // Every live membership of the image, whoever asks, after waiting for any transaction
  // still changing them (a locking read): the read-back of a write that lost its
  // connection. Empty for a missing image.
  virtual Result<std::vector<Membership>> settled_members(MysqlConnection& db,
                                                          const std::string& image_id) = 0;
  // Live memberships of `member`, limited for non-admins as in list().
  virtual Result<std::vector<SharedImage>> shared_with(MysqlConnection& db,
                                                       const common::RequestContext& ctx,
                                                       const std::string& member) = 0;
};

}  // namespace glance::registry
