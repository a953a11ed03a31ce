#include "registry/db/mysql_member_repository.h"

#include "registry/db/image_rows.h"
#include "registry/db/transaction.h"
#include "registry/db/write_fence.h"

#include <set>

namespace glance::registry {

using common::Error;

namespace {
std::string missing(const std::string& image_id) {
  return "No image found with ID " + image_id;
}

// payload_too_large with upstream's words when an image would have `attempted` members.
Result<void> check_member_quota(int64_t attempted, std::optional<int64_t> quota) {
  if (!quota || attempted <= *quota) return {};
  return Error::payload_too_large(
      "The limit has been exceeded on the number of allowed image members for this image. "
      "Attempted: " +
      std::to_string(attempted) + ", Maximum: " + std::to_string(*quota));
}

// The live members of the image, all of them. Counted inside the image's fence
// (write_fence.h), so no other counted member write of this image interleaves, on this server
// or another Galera node.
Result<int64_t> count_live_members(MysqlConnection& db, const std::string& image_id) {
  SqlValue p = image_id;
  auto rows = db.query("SELECT COUNT(*) FROM image_members WHERE image_id = ? AND deleted = 0",
                       std::span(&p, 1));
  if (!rows) return rows.error();
  return std::stoll(rows->front()[0].value_or("0"));
}
constexpr const char* kMembershipColumns = "image_id, member, status, created_at, updated_at";

// A row of kMembershipColumns; a status no v2 code wrote reads as pending.
ImageMembership membership_from_row(const std::vector<std::optional<std::string>>& row) {
  auto status = common::member_status_from_string(row[2].value_or(""));
  return ImageMembership{row[0].value_or(""), row[1].value_or(""),
                         status.value_or(MemberStatus::pending),
                         common::timestamp_from_sql(row[3].value_or("")),
                         common::timestamp_from_sql(row[4].value_or(row[3].value_or("")))};
}

// The live row of `member`, with `suffix` appended to the query (a locking clause).
Result<std::optional<ImageMembership>> live_membership(MysqlConnection& db,
                                                       const std::string& image_id,
                                                       const std::string& member,
                                                       const char* suffix = "") {
  SqlValue p[] = {image_id, member};
  auto rows = db.query(std::string("SELECT ") + kMembershipColumns +
                           " FROM image_members WHERE image_id = ? AND member = ? AND "
                           "deleted = 0 ORDER BY id DESC LIMIT 1" +
                           suffix,
                       p);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ImageMembership>();
  return std::optional<ImageMembership>(membership_from_row(rows->front()));
}

// A new pending membership, in the newest soft-deleted row of `member` when there is one (as
// upstream reuses it), created and updated `now`.
Result<void> insert_pending(MysqlConnection& db, const std::string& image_id,
                            const std::string& member, const std::string& now) {
  SqlValue key[] = {image_id, member};
  auto rows = db.query(
      "SELECT id FROM image_members WHERE image_id = ? AND member = ? AND deleted = 1 "
      "ORDER BY id DESC LIMIT 1",
      key);
  if (!rows) return rows.error();
  Result<uint64_t> written = uint64_t{0};
  if (rows->empty()) {
    SqlValue p[] = {image_id, member, now, now};
    written = db.execute(
        "INSERT INTO image_members (image_id, member, can_share, status, created_at, updated_at, "
        "deleted) VALUES (?, ?, 0, 'pending', ?, ?, 0)",
        p);
  } else {
    SqlValue p[] = {now, now, std::stoll(rows->front()[0].value_or("0"))};
    written = db.execute(
        "UPDATE image_members SET can_share = 0, status = 'pending', deleted = 0, "
        "deleted_at = NULL, created_at = ?, updated_at = ? WHERE id = ?",
        p);
  }
  if (!written) return written.error();
  return {};
}

Error no_membership() {
  return Error::not_found("Membership could not be found.");
}
}  // namespace

Result<void> MysqlMemberRepository::check_can_share(MysqlConnection& db,
                                                    const common::RequestContext& ctx,
                                                    const std::string& image_id) {
  auto img = find_visible_image(db, ctx, image_id, true, missing(image_id));
  if (!img) return img.error();
  if (ctx.is_admin || (ctx.owner() && img->owner == ctx.owner())) return {};
  if (ctx.owner()) {
    SqlValue p[] = {image_id, *ctx.owner()};
    auto rows = db.query(
        "SELECT 1 FROM image_members WHERE image_id = ? AND member = ? AND deleted = 0 AND "
        "can_share = 1 LIMIT 1",
        p);
    if (!rows) return rows.error();
    if (!rows->empty()) return {};
  }
  return Error::forbidden("No permission to share that image");
}

Result<void> MysqlMemberRepository::upsert(MysqlConnection& db, const std::string& image_id,
                                           const std::string& member, std::optional<bool> can_share,
                                           bool touch_existing_without_can_share,
                                           const std::string& now) {
  SqlValue key[] = {image_id, member};
  // A live row first; otherwise the newest soft-deleted one is reused.
  auto rows = db.query(
      "SELECT id FROM image_members WHERE image_id = ? AND member = ? "
      "ORDER BY deleted ASC, id DESC LIMIT 1",
      key);
  if (!rows) return rows.error();
  Result<uint64_t> written = uint64_t{0};
  if (rows->empty()) {
    SqlValue p[] = {image_id, member, int64_t{can_share.value_or(false)}, now, now};
    written = db.execute(
        "INSERT INTO image_members (image_id, member, can_share, created_at, updated_at, "
        "deleted) VALUES (?, ?, ?, ?, ?, 0)",
        p);
  } else if (can_share) {
    SqlValue p[] = {int64_t{*can_share}, now, std::stoll(*rows->front()[0])};
    written = db.execute(
        "UPDATE image_members SET can_share = ?, deleted = 0, deleted_at = NULL, updated_at = ? "
        "WHERE id = ?",
        p);
  } else if (touch_existing_without_can_share) {
    SqlValue p[] = {now, std::stoll(*rows->front()[0])};
    written = db.execute(
        "UPDATE image_members SET deleted = 0, deleted_at = NULL, updated_at = ? WHERE id = ?", p);
  }
  if (!written) return written.error();
  return {};
}

Result<std::vector<Membership>> MysqlMemberRepository::list(MysqlConnection& db,
                                                            const common::RequestContext& ctx,
                                                            const std::string& image_id) {
  auto img = find_visible_image(db, ctx, image_id, false, missing(image_id));
  if (!img) return img.error();
  SqlValue p = image_id;
  auto rows = db.query(
      "SELECT member, can_share FROM image_members WHERE image_id = ? AND deleted = 0 "
      "ORDER BY id",
      std::span(&p, 1));
  if (!rows) return rows.error();
  bool sees_all = ctx.is_admin || (ctx.owner() && img->owner == ctx.owner());
  std::vector<Membership> out;
  for (const auto& row : *rows) {
    Membership m{row[0].value_or(""), row[1] == "1"};
    if (sees_all || (ctx.owner() && m.member_id == *ctx.owner())) out.push_back(std::move(m));
  }
  return out;
}

Result<void> MysqlMemberRepository::replace(MysqlConnection& db, const common::RequestContext& ctx,
                                            const std::string& image_id,
                                            const std::vector<MembershipChange>& members,
                                            std::optional<int64_t> member_quota) {
  // The list replaces every live member, but only those this transaction reads: a counted
  // add committed after that read would survive beside the new list, past the quota. The
  // fence orders the replacement with counted adds, on one server as across Galera nodes.
  auto body = [&]() -> Result<void> {
    if (auto r = check_can_share(db, ctx, image_id); !r) return r;
    if (auto r = check_member_quota(static_cast<int64_t>(members.size()), member_quota); !r)
      return r;
    std::string now = common::timestamp_to_sql(clock_.now());
    std::set<std::string> wanted;
    for (const auto& change : members) {
      wanted.insert(change.member_id);
      if (auto r = upsert(db, image_id, change.member_id, change.can_share, true, now); !r)
        return r;
    }
    SqlValue p = image_id;
    auto live = db.query("SELECT member FROM image_members WHERE image_id = ? AND deleted = 0",
                         std::span(&p, 1));
    if (!live) return live.error();
    for (const auto& row : *live) {
      if (wanted.count(row[0].value_or(""))) continue;
      SqlValue q[] = {now, now, image_id, row[0].value_or("")};
      auto r = db.execute(
          "UPDATE image_members SET deleted = 1, deleted_at = ?, updated_at = ? "
          "WHERE image_id = ? AND member = ? AND deleted = 0",
          q);
      if (!r) return r.error();
    }
    return {};
  };
  if (member_quota) return in_fenced_transaction(db, image_fence(image_id), body);
  return in_transaction(db, body);
}

Result<void> MysqlMemberRepository::add(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& image_id, const std::string& member,
                                        std::optional<bool> can_share,
                                        std::optional<int64_t> member_quota) {
  auto body = [&]() -> Result<void> {
    if (auto r = check_can_share(db, ctx, image_id); !r) return r;
    if (member_quota) {
      auto live = count_live_members(db, image_id);
      if (!live) return live.error();
      if (auto r = check_member_quota(*live + 1, member_quota); !r) return r;
    }
    return upsert(db, image_id, member, can_share, false, common::timestamp_to_sql(clock_.now()));
  };
  if (member_quota) return in_fenced_transaction(db, image_fence(image_id), body);
  return in_transaction(db, body);
}

Result<void> MysqlMemberRepository::remove(MysqlConnection& db, const common::RequestContext& ctx,
                                           const std::string& image_id, const std::string& member) {
  return in_transaction(db, [&]() -> Result<void> {
    if (auto r = check_can_share(db, ctx, image_id); !r) return r;
    std::string now = common::timestamp_to_sql(clock_.now());
    SqlValue p[] = {now, now, image_id, member};
    auto removed = db.execute(
        "UPDATE image_members SET deleted = 1, deleted_at = ?, updated_at = ? "
        "WHERE image_id = ? AND member = ? AND deleted = 0",
        p);
    if (!removed) return removed.error();
    if (*removed == 0) return Error::not_found("Membership could not be found.");
    return {};
  });
}

Result<std::vector<Membership>> MysqlMemberRepository::settled_members(
    MysqlConnection& db, const std::string& image_id) {
  return in_plain_transaction(db, [&]() -> Result<std::vector<Membership>> {
    auto image = find_image_row(db, image_id, true);
    if (!image) return image.error();
    SqlValue p = image_id;
    auto rows = db.query(
        "SELECT member, can_share FROM image_members WHERE image_id = ? AND deleted = 0 "
        "ORDER BY id LOCK IN SHARE MODE",
        std::span(&p, 1));
    if (!rows) return rows.error();
    std::vector<Membership> out;
    for (const auto& row : *rows) out.push_back({row[0].value_or(""), row[1] == "1"});
    return out;
  });
}

Result<std::vector<SharedImage>> MysqlMemberRepository::shared_with(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& member) {
  if (!ctx.is_admin && !ctx.owner()) return std::vector<SharedImage>{};
  std::vector<SqlValue> params{member};
  std::string sql =
      "SELECT m.image_id, m.can_share FROM image_members m JOIN images i ON i.id = m.image_id "
      "WHERE m.member = ? AND m.deleted = 0 AND i.deleted = 0";
  if (!ctx.is_admin) {
    sql += " AND (i.owner = ? OR m.member = ?)";
    params.emplace_back(*ctx.owner());
    params.emplace_back(*ctx.owner());
  }
  auto rows = db.query(sql + " ORDER BY m.id", params);
  if (!rows) return rows.error();
  std::vector<SharedImage> out;
  for (const auto& row : *rows) out.push_back({row[0].value_or(""), row[1] == "1"});
  return out;
}

Result<std::vector<ImageMembership>> MysqlMemberRepository::memberships(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& image_id) {
  auto img = find_visible_image(db, ctx, image_id, false, missing(image_id));
  if (!img) return img.error();
  SqlValue p = image_id;
  auto rows = db.query(std::string("SELECT ") + kMembershipColumns +
                           " FROM image_members WHERE image_id = ? AND deleted = 0 ORDER BY id",
                       std::span(&p, 1));
  if (!rows) return rows.error();
  bool sees_all = ctx.is_admin || (ctx.owner() && img->owner == ctx.owner());
  std::vector<ImageMembership> out;
  for (const auto& row : *rows) {
    auto m = membership_from_row(row);
    if (sees_all || (ctx.owner() && m.member_id == *ctx.owner())) out.push_back(std::move(m));
  }
  return out;
}

Result<ImageMembership> MysqlMemberRepository::membership(MysqlConnection& db,
                                                          const common::RequestContext& ctx,
                                                          const std::string& image_id,
                                                          const std::string& member) {
  auto img = find_visible_image(db, ctx, image_id, false, missing(image_id));
  if (!img) return img.error();
  bool may_see =
      ctx.is_admin || (ctx.owner() && (img->owner == ctx.owner() || member == *ctx.owner()));
  if (!may_see) return no_membership();
  auto found = live_membership(db, image_id, member);
  if (!found) return found.error();
  if (!*found) return no_membership();
  return std::move(**found);
}

Result<ImageMembership> MysqlMemberRepository::create_membership(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& image_id,
    const std::string& member, std::optional<int64_t> member_quota, common::TimePoint at) {
  // The fence also orders concurrent adds of one member, so exactly one sees no live row.
  return in_fenced_transaction(db, image_fence(image_id), [&]() -> Result<ImageMembership> {
    auto img = find_visible_image(db, ctx, image_id, true, missing(image_id));
    if (!img) return img.error();
    if (img->deleted) return Error::not_found(missing(image_id));
    if (img->visibility != "shared") return Error::forbidden("Only shared images have members.");
    if (!ctx.is_admin && !(ctx.owner() && img->owner == ctx.owner()))
      return Error::forbidden("You are not permitted to create image members for the image.");
    if (member_quota) {
      auto live = count_live_members(db, image_id);
      if (!live) return live.error();
      if (auto r = check_member_quota(*live + 1, member_quota); !r) return r.error();
    }
    auto existing = live_membership(db, image_id, member);
    if (!existing) return existing.error();
    if (*existing)
      return Error::conflict("The target member " + member + " is already associated with image " +
                             image_id + ".");
    if (auto r = insert_pending(db, image_id, member, common::timestamp_to_sql(at)); !r)
      return r.error();
    auto created = live_membership(db, image_id, member);
    if (!created) return created.error();
    if (!*created) return Error::internal("membership vanished after its insert");
    return std::move(**created);
  });
}

Result<ImageMembership> MysqlMemberRepository::set_member_status(MysqlConnection& db,
                                                                 const common::RequestContext& ctx,
                                                                 const std::string& image_id,
                                                                 const std::string& member,
                                                                 MemberStatus status) {
  return in_transaction(db, [&]() -> Result<ImageMembership> {
    if (ctx.read_only) return Error::forbidden("Read-only access");
    auto img = find_visible_image(db, ctx, image_id, false, missing(image_id));
    if (!img) return img.error();
    if (img->visibility != "shared") return Error::forbidden("Only shared images have members.");
    if (!ctx.is_admin && !(ctx.owner() && member == *ctx.owner()))
      return Error::forbidden("You cannot update image member " + member);
    auto found = live_membership(db, image_id, member, " FOR UPDATE");
    if (!found) return found.error();
    if (!*found) return no_membership();
    SqlValue p[] = {std::string(to_string(status)), common::timestamp_to_sql(clock_.now()),
                    image_id, member};
    auto written = db.execute(
        "UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ? "
        "AND deleted = 0",
        p);
    if (!written) return written.error();
    auto updated = live_membership(db, image_id, member);
    if (!updated) return updated.error();
    if (!*updated) return no_membership();
    return std::move(**updated);
  });
}

Result<std::optional<ImageMembership>> MysqlMemberRepository::settled_membership(
    MysqlConnection& db, const std::string& image_id, const std::string& member) {
  return in_plain_transaction(db, [&]() -> Result<std::optional<ImageMembership>> {
    return live_membership(db, image_id, member, " LOCK IN SHARE MODE");
  });
}

}  // namespace glance::registry
