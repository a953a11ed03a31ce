#pragma once

#include "common/clock.h"
#include "common/error.h"
#include "common/image_member.h"
#include "common/image_membership.h"
#include "common/request_context.h"

#include <optional>
#include <string>
#include <vector>

namespace glance::registry {

class MysqlConnection;

using common::Error;
using common::Result;

using common::ImageMembership;
using common::Membership;
using common::MemberStatus;
using common::SharedImage;

// One entry of a whole-list replacement; can_share absent keeps an existing member's value.
struct MembershipChange {
  std::string member_id;
  std::optional<bool> can_share;
};

// Image memberships. Blocking and on the given connection like
// ImageRepository; each write commits in one transaction. Same error rules, plus
// forbidden ("No permission to share that image") when the caller may not manage members,
// not_found ("Membership could not be found.") when removing a non-member, and
// payload_too_large when a write would pass `member_quota` (image_member_quota, given by
// glance-api; nullopt means no limit). The quota counts every live member of the image,
// also those the caller cannot list, and is checked in the write's transaction with the
// image row locked, so concurrent writes cannot together pass it.
class MemberRepository {
 public:
  virtual ~MemberRepository() = default;

  // Non-admins see only memberships of images they own, or their own membership.
  virtual Result<std::vector<Membership>> list(MysqlConnection& db,
                                               const common::RequestContext& ctx,
                                               const std::string& image_id) = 0;
  // Makes the live member set exactly `members`; soft-deleted rows are reused. The quota
  // counts the entries of `members`, as upstream counts the list; with a quota, the
  // replacement is ordered with counted adds (inside the image's fence), so none survives
  // beside the list unseen.
  virtual Result<void> replace(MysqlConnection& db, const common::RequestContext& ctx,
                               const std::string& image_id,
                               const std::vector<MembershipChange>& members,
                               std::optional<int64_t> member_quota) = 0;
  // Adds a member, or with can_share given updates (and undeletes) an existing one. The
  // quota counts the live members plus one, even when `member` is one of them (upstream's
  // count).
  virtual Result<void> add(MysqlConnection& db, const common::RequestContext& ctx,
                           const std::string& image_id, const std::string& member,
                           std::optional<bool> can_share, std::optional<int64_t> member_quota) = 0;
  virtual Result<void> remove(MysqlConnection& db, const common::RequestContext& ctx,
                              const std::string& image_id, const std::string& member) = 0;
  // Every live membership of the image, whoever asks, after waiting for any transaction
  // still changing them (a locking read): the read-back of a write that lost its
  // connection. Empty for a missing image.
  virtual Result<std::vector<Membership>> settled_members(MysqlConnection& db,
                                                          const std::string& image_id) = 0;
  // Glance v2's view, with each member's status. memberships() and membership() show the
  // rows list() shows; membership() is not_found ("Membership could not be found.") for a
  // row the caller may not see.
  virtual Result<std::vector<ImageMembership>> memberships(MysqlConnection& db,
                                                           const common::RequestContext& ctx,
                                                           const std::string& image_id) = 0;
  virtual Result<ImageMembership> membership(MysqlConnection& db, const common::RequestContext& ctx,
                                             const std::string& image_id,
                                             const std::string& member) = 0;
  // v2's add: forbidden ("Only shared images have members.") unless the image's visibility
  // is shared, forbidden unless the caller owns the image or is admin, payload_too_large
  // past the quota (counted as add() counts, inside the image's fence), conflict when
  // `member` is already a live member. A soft-deleted row is reused; the new member is
  // pending, created and updated `at`: the caller fixes the time, so that a read-back can tell
  // this write's row from one another write added meanwhile.
  virtual Result<ImageMembership> create_membership(
      MysqlConnection& db, const common::RequestContext& ctx, const std::string& image_id,
      const std::string& member, std::optional<int64_t> member_quota, common::TimePoint at) = 0;
  // v2's status change: forbidden for an image that is not shared, and unless the caller is
  // `member` itself or admin; not_found
  // when `member` has no live membership of a visible image.
  virtual Result<ImageMembership> set_member_status(MysqlConnection& db,
                                                    const common::RequestContext& ctx,
                                                    const std::string& image_id,
                                                    const std::string& member,
                                                    MemberStatus status) = 0;
  // The live membership of `member`, whoever asks, after a locking read (the read-back of a
  // v2 member write); nullopt when there is none.
  virtual Result<std::optional<ImageMembership>> settled_membership(MysqlConnection& db,
                                                                    const std::string& image_id,
                                                                    const std::string& member) = 0;
  // Live memberships of `member`, limited for non-admins as in list().
  virtual Result<std::vector<SharedImage>> shared_with(MysqlConnection& db,
                                                       const common::RequestContext& ctx,
                                                       const std::string& member) = 0;
};

}  // namespace glance::registry
