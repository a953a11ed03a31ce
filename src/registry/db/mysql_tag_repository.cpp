#include "registry/db/mysql_tag_repository.h"

#include "registry/db/image_rows.h"
#include "registry/db/transaction.h"
#include "registry/db/write_fence.h"
#include "registry/image_access.h"

#include <vector>

namespace glance::registry {

using common::Error;

namespace {
// The live tag rows of the image as (row id, value). Read in C++ rather than matched in SQL:
// the column's collation would make "Tag", "tag" and "tag " one tag, and upstream's set of
// tags holds them apart.
Result<std::vector<std::pair<int64_t, std::string>>> live_tags(MysqlConnection& db,
                                                               const std::string& image_id,
                                                               bool for_update) {
  SqlValue p = image_id;
  auto rows = db.query(std::string("SELECT id, value FROM image_tags WHERE image_id = ? AND "
                                   "deleted = 0 ORDER BY id") +
                           (for_update ? " FOR UPDATE" : " LOCK IN SHARE MODE"),
                       std::span(&p, 1));
  if (!rows) return rows.error();
  std::vector<std::pair<int64_t, std::string>> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) out.emplace_back(std::stoll(*row[0]), row[1].value_or(""));
  return out;
}

std::optional<int64_t> row_of(const std::vector<std::pair<int64_t, std::string>>& tags,
                              const std::string& tag) {
  for (const auto& [id, value] : tags)
    if (value == tag) return id;
  return std::nullopt;
}
}  // namespace

Result<void> MysqlTagRepository::open_for_write(MysqlConnection& db,
                                                const common::RequestContext& ctx,
                                                const std::string& image_id,
                                                const std::string& now) {
  // The image row is locked first, so writers of one image queue on one server, and written
  // (updated_at, as upstream's save touches it), so that Galera lets only one of two nodes'
  // concurrent writers commit. A counted add also enters the image's fence (write_fence.h).
  auto image = find_visible_image(db, ctx, image_id, true, "No image found with ID " + image_id);
  if (!image) return image.error();
  // Admins see deleted images in the registry; their tags are gone with them.
  if (image->deleted) return Error::not_found("No image found with ID " + image_id);
  if (auto r = check_can_modify(ctx, *image); !r) return r;
  SqlValue touch[] = {now, image_id};
  if (auto r = db.execute("UPDATE images SET updated_at = ? WHERE id = ?", touch); !r)
    return r.error();
  return {};
}

Result<void> MysqlTagRepository::add(MysqlConnection& db, const common::RequestContext& ctx,
                                     const std::string& image_id, const std::string& tag,
                                     std::optional<int64_t> quota) {
  auto body = [&]() -> Result<void> {
    std::string now = common::timestamp_to_sql(clock_.now());
    if (auto r = open_for_write(db, ctx, image_id, now); !r) return r;
    // A plain read: the transaction's snapshot starts here, after the image lock was granted,
    // so it holds every tag write committed before; locking reads of the tag index would take
    // gap locks that deadlock writers of neighbouring images.
    auto tags = live_tags(db, image_id, false);
    if (!tags) return tags.error();
    const bool present = row_of(*tags, tag).has_value();
    const auto attempted = static_cast<int64_t>(tags->size()) + (present ? 0 : 1);
    if (quota && attempted > *quota)
      return Error::payload_too_large(
          "The limit has been exceeded on the number of allowed image tags. Attempted: " +
          std::to_string(attempted) + ", Maximum: " + std::to_string(*quota));
    if (present) return {};
    SqlValue row[] = {image_id, tag, now, now};
    auto inserted = db.execute(
        "INSERT INTO image_tags (image_id, value, created_at, updated_at, deleted) "
        "VALUES (?, ?, ?, ?, 0)",
        row);
    if (!inserted) return inserted.error();
    return {};
  };
  // A counted add is fenced as counted member writes are: on Galera, the image row alone does
  // not keep a transaction rolled back between its statements from adding past the quota.
  if (quota) return in_fenced_transaction(db, image_fence(image_id), body);
  return in_transaction(db, body);
}

Result<void> MysqlTagRepository::remove(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& image_id, const std::string& tag) {
  return in_transaction(db, [&]() -> Result<void> {
    std::string now = common::timestamp_to_sql(clock_.now());
    if (auto r = open_for_write(db, ctx, image_id, now); !r) return r;
    auto tags = live_tags(db, image_id, false);
    if (!tags) return tags.error();
    auto id = row_of(*tags, tag);
    if (!id) return Error::not_found("Tag not found.");
    SqlValue p[] = {now, now, *id};
    if (auto r = db.execute(
            "UPDATE image_tags SET deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ?", p);
        !r)
      return r.error();
    return {};
  });
}

Result<bool> MysqlTagRepository::settled_has(MysqlConnection& db, const std::string& image_id,
                                             const std::string& tag) {
  return in_plain_transaction(db, [&]() -> Result<bool> {
    auto image = find_image_row(db, image_id, true);
    if (!image) return image.error();
    if (!*image) return Error::not_found("No image found with ID " + image_id);
    auto tags = live_tags(db, image_id, false);
    if (!tags) return tags.error();
    return row_of(*tags, tag).has_value();
  });
}

}  // namespace glance::registry
