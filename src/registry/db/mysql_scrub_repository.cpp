#include "registry/db/mysql_scrub_repository.h"

#include "common/image_status.h"
#include "registry/db/image_rows.h"
#include "registry/db/location_use.h"
#include "registry/db/mysql_connection.h"
#include "registry/db/transaction.h"

namespace glance::registry {

using common::Error;
using common::Image;
using common::ImageStatus;
using common::Result;

namespace {
// The image's row as the scrubber's calls need it, locked for the enclosing transaction.
struct ScrubRow {
  std::string status;
  bool deleted = false;
  bool claimed = false;  // by a claim younger than the lease
  bool stale = false;    // updated_at older than the lease
};

Result<ScrubRow> lock_scrub_row(MysqlConnection& db, const std::string& id,
                                const std::string& lease_start) {
  // A NULL deleted_at (a row glance-api marked but has not deleted yet) is never claimed.
  SqlValue p[] = {lease_start, lease_start, id};
  auto rows = db.query(
      "SELECT status, deleted, updated_at > deleted_at AND updated_at >= ?, updated_at < ? "
      "FROM images WHERE id = ? FOR UPDATE",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) return Error::not_found("No image found with ID " + id);
  const SqlRow& r = rows->front();
  return ScrubRow{r[0].value_or(""), r[1] == "1", r[2] == "1", r[3] == "1"};
}

// Ends the delete of a row glance-api marked pending_delete but never deleted (it died
// between its two writes): the row and what hangs off it are deleted as glance-api's own
// delete does, at the moment of the mark (its updated_at), so that scrub_time and a restore
// count from the user's delete. The locations the mark left pending_delete stay so.
Result<void> finish_delete(MysqlConnection& db, const std::string& id) {
  SqlValue p[] = {id};
  if (auto r = db.execute(
          "UPDATE images SET deleted = 1, deleted_at = updated_at WHERE id = ? AND deleted = 0", p);
      !r)
    return r.error();
  for (const char* sql : {
           "UPDATE image_properties t JOIN images i ON i.id = t.image_id SET t.deleted = 1, "
           "t.deleted_at = i.deleted_at, t.updated_at = i.deleted_at "
           "WHERE i.id = ? AND t.deleted = 0",
           "UPDATE image_locations t JOIN images i ON i.id = t.image_id SET t.deleted = 1, "
           "t.deleted_at = i.deleted_at, t.updated_at = i.deleted_at, t.status = 'deleted' "
           "WHERE i.id = ? AND t.deleted = 0",
           "UPDATE image_members t JOIN images i ON i.id = t.image_id SET t.deleted = 1, "
           "t.deleted_at = i.deleted_at, t.updated_at = i.deleted_at "
           "WHERE i.id = ? AND t.deleted = 0",
           "UPDATE image_tags t JOIN images i ON i.id = t.image_id SET t.deleted = 1, "
           "t.deleted_at = i.deleted_at, t.updated_at = i.deleted_at "
           "WHERE i.id = ? AND t.deleted = 0",
       })
    if (auto r = db.execute(sql, p); !r) return r.error();
  return {};
}

Result<void> require_admin(const common::RequestContext& ctx) {
  if (!ctx.is_admin) return Error::forbidden("Scrubbing images is for admins only.");
  return {};
}

// A location row's claim (claim_location) younger than the lease starting at `?`.
constexpr const char* kLocationClaimed =
    "(updated_at > COALESCE(deleted_at, updated_at) AND updated_at >= ?)";

// The image row with its pending_delete locations in place of its live ones; with
// `lease_start`, only those no claim of their own younger than the lease holds (a scrubber
// took them while the image was live, and may be deleting their data).
Result<Image> with_pending_locations(MysqlConnection& db, const std::string& id,
                                     const std::optional<std::string>& lease_start = {}) {
  auto row = find_image_row(db, id, false);
  if (!row) return row.error();
  if (!*row) return Error::not_found("No image found with ID " + id);
  std::string sql =
      "SELECT id, value, meta_data, status FROM image_locations "
      "WHERE image_id = ? AND status = 'pending_delete'";
  std::vector<SqlValue> p{id};
  if (lease_start) {
    sql += std::string(" AND NOT ") + kLocationClaimed;
    p.push_back(*lease_start);
  }
  auto rows = db.query(sql + " ORDER BY id", p);
  if (!rows) return rows.error();
  Image img = std::move(**row);
  img.locations.clear();
  for (const auto& r : *rows)
    img.locations.push_back(location_from_columns(r[0], r[1], r[2], r[3]));
  return img;
}

// Whether a claim of its own younger than the lease holds one of the image's pending_delete
// locations.
Result<bool> location_claimed(MysqlConnection& db, const std::string& id,
                              const std::string& lease_start) {
  SqlValue p[] = {id, lease_start};
  auto rows = db.query(std::string("SELECT 1 FROM image_locations WHERE image_id = ? AND "
                                   "status = 'pending_delete' AND ") +
                           kLocationClaimed + " LIMIT 1",
                       p);
  if (!rows) return rows.error();
  return !rows->empty();
}

std::string pending_delete() {
  return std::string(common::to_string(ImageStatus::pending_delete));
}

// A location row of an image, locked for the enclosing transaction.
struct LocationRow {
  common::ImageLocation location;
  std::string image_status;
  bool claimed = false;  // by a claim younger than the lease
};

Result<LocationRow> lock_location_row(MysqlConnection& db, const std::string& image_id,
                                      int64_t location_id, const std::string& lease_start) {
  // A row without deleted_at (not written by our api) counts its mark from updated_at.
  SqlValue p[] = {lease_start, location_id, image_id};
  auto rows = db.query(
      "SELECT l.id, l.value, l.meta_data, l.status, i.status, "
      "l.updated_at > COALESCE(l.deleted_at, l.updated_at) AND l.updated_at >= ? "
      "FROM image_locations l JOIN images i ON i.id = l.image_id "
      "WHERE l.id = ? AND l.image_id = ? FOR UPDATE",
      p);
  if (!rows) return rows.error();
  if (rows->empty())
    return Error::not_found("No location " + std::to_string(location_id) + " of image " + image_id);
  const SqlRow& r = rows->front();
  return LocationRow{location_from_columns(r[0], r[1], r[2], r[3]), r[4].value_or(""), r[5] == "1"};
}

}  // namespace

Result<Image> MysqlScrubRepository::claim(MysqlConnection& db, const common::RequestContext& ctx,
                                          const std::string& id, std::chrono::seconds lease) {
  if (auto r = require_admin(ctx); !r) return r.error();
  auto moment = clock_.now();
  std::string now = common::timestamp_to_sql(moment);
  std::string lease_start = common::timestamp_to_sql(moment - lease);
  auto claimed = in_transaction(db, [&]() -> Result<Image> {
    auto row = lock_scrub_row(db, id, lease_start);
    if (!row) return row.error();
    if (row->status != pending_delete())
      return Error::conflict("Image " + id + " is not pending_delete; it is " + row->status);
    if (!row->deleted) {
      // Marked, not deleted: its glance-api may still be about to delete the row, unless the
      // mark has stood still for the lease.
      if (!row->stale) return Error::conflict("Image " + id + " is still being deleted");
      if (auto r = finish_delete(db, id); !r) return r.error();
    } else if (row->claimed) {
      return Error::conflict("Image " + id + " is being scrubbed elsewhere");
    }
    // Past deleted_at even when the clock reads the same microsecond: that is the mark.
    SqlValue p[] = {now, id};
    auto r = db.execute(
        "UPDATE images SET updated_at = GREATEST(?, deleted_at + INTERVAL 1 MICROSECOND) "
        "WHERE id = ?",
        p);
    if (!r) return r.error();
    auto image = with_pending_locations(db, id, lease_start);
    if (!image) return image.error();
    // Decided under the claim, as glance-api's delete decides under its mark.
    if (auto used = mark_locations_in_use(db, id, image->locations); !used) return used.error();
    return image;
  });
  return claimed;
}

Result<Image> MysqlScrubRepository::finish(MysqlConnection& db, const common::RequestContext& ctx,
                                           const std::string& id,
                                           const std::vector<int64_t>& scrubbed) {
  if (auto r = require_admin(ctx); !r) return r.error();
  std::string now = common::timestamp_to_sql(clock_.now());
  auto done = in_transaction(db, [&]() -> Result<void> {
    auto row = lock_scrub_row(db, id, now);
    if (!row) return row.error();
    if (row->status == common::to_string(ImageStatus::deleted)) return {};
    if (row->status != pending_delete())
      return Error::conflict("Image " + id + " is not pending_delete; it is " + row->status);
    for (int64_t location : scrubbed) {
      SqlValue p[] = {now, now, location, id};
      auto r = db.execute(
          "UPDATE image_locations SET status = 'deleted', deleted = 1, "
          "deleted_at = COALESCE(deleted_at, ?), updated_at = ? "
          "WHERE id = ? AND image_id = ? AND status = 'pending_delete'",
          p);
      if (!r) return r.error();
    }
    SqlValue p[] = {id};
    auto left = db.query(
        "SELECT COUNT(*) FROM image_locations WHERE image_id = ? AND status = 'pending_delete'", p);
    if (!left) return left.error();
    bool none_left = left->empty() || left->front()[0] == "0";
    SqlValue q[] = {now, id};
    auto r = none_left ? db.execute(
                             "UPDATE images SET status = 'deleted', updated_at = ? WHERE id = ?", q)
                       : db.execute("UPDATE images SET updated_at = deleted_at WHERE id = ?", p);
    if (!r) return r.error();
    return {};
  });
  if (!done) return done.error();
  return with_pending_locations(db, id);
}

Result<Image> MysqlScrubRepository::restore(MysqlConnection& db, const common::RequestContext& ctx,
                                            const std::string& id, std::chrono::seconds lease) {
  if (auto r = require_admin(ctx); !r) return r.error();
  auto moment = clock_.now();
  std::string now = common::timestamp_to_sql(moment);
  std::string lease_start = common::timestamp_to_sql(moment - lease);
  auto restored = in_transaction(db, [&]() -> Result<void> {
    auto row = lock_scrub_row(db, id, lease_start);
    if (!row) return row.error();
    if (row->status != pending_delete())
      return Error::conflict("cannot restore the image from " + row->status +
                             " to active (wanted from_state=pending_delete)");
    if (row->claimed)
      return Error::conflict("Image " + id + " is being scrubbed; its data may be gone");
    auto held = location_claimed(db, id, lease_start);
    if (!held) return held.error();
    if (*held)
      return Error::conflict("Image " + id +
                             " has a location being scrubbed; its data may be gone");
    // What the delete removed went with the image's deleted_at; nothing else is brought back.
    SqlValue p[] = {now, id};
    for (const char* sql : {
             "UPDATE image_properties t JOIN images i ON i.id = t.image_id SET t.deleted = 0, "
             "t.deleted_at = NULL, t.updated_at = ? WHERE i.id = ? AND t.deleted = 1 AND "
             "t.deleted_at = i.deleted_at",
             "UPDATE image_members t JOIN images i ON i.id = t.image_id SET t.deleted = 0, "
             "t.deleted_at = NULL, t.updated_at = ? WHERE i.id = ? AND t.deleted = 1 AND "
             "t.deleted_at = i.deleted_at",
             "UPDATE image_tags t JOIN images i ON i.id = t.image_id SET t.deleted = 0, "
             "t.deleted_at = NULL, t.updated_at = ? WHERE i.id = ? AND t.deleted = 1 AND "
             "t.deleted_at = i.deleted_at",
             "UPDATE image_locations SET status = 'active', deleted = 0, deleted_at = NULL, "
             "updated_at = ? WHERE image_id = ? AND status = 'pending_delete'",
             "UPDATE images SET status = 'active', deleted = 0, deleted_at = NULL, "
             "updated_at = ? WHERE id = ?",
         })
      if (auto r = db.execute(sql, p); !r) return r.error();
    return {};
  });
  if (!restored) return restored.error();
  auto image = find_image_with_details(db, id);
  if (!image) return image.error();
  if (!*image) return Error::not_found("No image found with ID " + id);
  return std::move(**image);
}

Result<std::vector<common::PendingLocation>> MysqlScrubRepository::list_pending_locations(
    MysqlConnection& db, const common::RequestContext& ctx, int64_t after, int limit) {
  if (auto r = require_admin(ctx); !r) return r.error();
  // The locations of a pending_delete image are its own scrub's (claim above).
  SqlValue p[] = {after, int64_t{limit}};
  auto rows = db.query(
      "SELECT l.id, l.image_id, COALESCE(l.deleted_at, l.updated_at) "
      "FROM image_locations l JOIN images i ON i.id = l.image_id "
      "WHERE l.status = 'pending_delete' AND i.status <> 'pending_delete' AND l.id > ? "
      "ORDER BY l.id LIMIT ?",
      p);
  if (!rows) return rows.error();
  std::vector<common::PendingLocation> out;
  for (const auto& r : *rows) {
    common::PendingLocation l;
    l.id = std::stoll(r[0].value_or("0"));
    l.image_id = r[1].value_or("");
    if (r[2]) l.marked_at = common::timestamp_from_sql(*r[2]);
    out.push_back(std::move(l));
  }
  return out;
}

Result<common::LocationClaim> MysqlScrubRepository::claim_location(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& image_id,
    int64_t location_id, std::chrono::seconds lease) {
  if (auto r = require_admin(ctx); !r) return r.error();
  auto moment = clock_.now();
  std::string now = common::timestamp_to_sql(moment);
  std::string lease_start = common::timestamp_to_sql(moment - lease);
  common::LocationClaim claim;
  auto claimed = in_transaction(db, [&]() -> Result<void> {
    auto row = lock_location_row(db, image_id, location_id, lease_start);
    if (!row) return row.error();
    const std::string what = "Location " + std::to_string(location_id) + " of image " + image_id;
    if (row->location.status != pending_delete())
      return Error::conflict(what + " is not pending_delete; it is " + row->location.status);
    if (row->image_status == pending_delete())
      return Error::conflict(what + " goes with its image's scrub");
    if (row->claimed) return Error::conflict(what + " is being scrubbed elsewhere");
    // As for an image: the mark is deleted_at, a claim moves updated_at past it. MySQL assigns
    // left to right, so updated_at sees the deleted_at just set.
    SqlValue p[] = {now, now, location_id};
    auto r = db.execute(
        "UPDATE image_locations SET deleted_at = COALESCE(deleted_at, updated_at, ?), "
        "updated_at = GREATEST(?, deleted_at + INTERVAL 1 MICROSECOND) WHERE id = ?",
        p);
    if (!r) return r.error();
    // The image itself is live: another active location of its own with the url counts.
    auto in_use = url_in_live_use(db, row->location.url, "");
    if (!in_use) return in_use.error();
    claim = common::LocationClaim{std::move(row->location), *in_use};
    return {};
  });
  if (!claimed) return claimed.error();
  return claim;
}

Result<common::ImageLocation> MysqlScrubRepository::finish_location(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& image_id,
    int64_t location_id, bool scrubbed) {
  if (auto r = require_admin(ctx); !r) return r.error();
  std::string now = common::timestamp_to_sql(clock_.now());
  common::ImageLocation location;
  auto done = in_transaction(db, [&]() -> Result<void> {
    auto row = lock_location_row(db, image_id, location_id, now);
    if (!row) return row.error();
    location = std::move(row->location);
    if (location.status == "deleted") return {};
    if (location.status != pending_delete())
      return Error::conflict("Location " + std::to_string(location_id) + " of image " + image_id +
                             " is not pending_delete; it is " + location.status);
    SqlValue p[] = {now, now, location_id};
    SqlValue q[] = {location_id};
    auto r = scrubbed ? db.execute(
                            "UPDATE image_locations SET status = 'deleted', deleted = 1, "
                            "deleted_at = COALESCE(deleted_at, ?), updated_at = ? WHERE id = ?",
                            p)
                      : db.execute(
                            "UPDATE image_locations SET updated_at = deleted_at "
                            "WHERE id = ? AND deleted_at IS NOT NULL",
                            q);
    if (!r) return r.error();
    if (scrubbed) location.status = "deleted";
    return {};
  });
  if (!done) return done.error();
  return location;
}

}  // namespace glance::registry
