#include "registry/db/purge.h"

#include "common/clock.h"

#include <string_view>

namespace glance::registry {

namespace {

// The child tables, in the order upstream purges them; images goes last.
constexpr const char* kChildTables[] = {"image_properties", "image_locations", "image_members",
                                        "image_tags"};

// Statements are fixed text per table (table names come from the list above, never from
// input); the cutoff and the bound travel as parameters. MySQL has no "LIMIT infinity", so an
// unbounded purge uses the largest LIMIT there is.
//
// Rows whose data glance-scrubber has still to delete are kept whatever their age: a
// pending_delete location (of any image: v2 leaves one on a live image whose location it
// removed), and every row of a pending_delete image, so that neither the scrubber's work nor a
// restore finds a part missing. The scrubber's finish turns them deleted in one transaction,
// after the data is gone; a later purge takes them.
std::string child_delete(const char* table) {
  return std::string("DELETE FROM ") + table + " WHERE deleted = 1 AND deleted_at < ?" +
         (std::string_view(table) == "image_locations" ? " AND status <> 'pending_delete'" : "") +
         " AND NOT EXISTS (SELECT 1 FROM images i WHERE i.id = " + table +
         ".image_id AND i.status = 'pending_delete') ORDER BY deleted_at LIMIT ?";
}

constexpr const char* kImagesDelete =
    "DELETE FROM images WHERE deleted = 1 AND deleted_at < ? AND status <> 'pending_delete'"
    " AND NOT EXISTS (SELECT 1 FROM image_properties c WHERE c.image_id = images.id)"
    " AND NOT EXISTS (SELECT 1 FROM image_locations c WHERE c.image_id = images.id)"
    " AND NOT EXISTS (SELECT 1 FROM image_members c WHERE c.image_id = images.id)"
    " AND NOT EXISTS (SELECT 1 FROM image_tags c WHERE c.image_id = images.id)"
    " ORDER BY deleted_at LIMIT ?";

// The member fences (write_fence.h) of images no longer in the table.
constexpr const char* kFencesDelete =
    "DELETE FROM write_fences WHERE name LIKE 'image:%'"
    " AND NOT EXISTS (SELECT 1 FROM images i WHERE i.id = SUBSTRING(write_fences.name, 7))"
    " LIMIT ?";

}  // namespace

Result<std::vector<PurgedTable>> purge_deleted_rows(MysqlConnection& db,
                                                    std::chrono::system_clock::time_point cutoff,
                                                    int64_t max_rows) {
  const SqlValue params[] = {
      common::timestamp_to_sql(std::chrono::time_point_cast<std::chrono::microseconds>(cutoff)),
      max_rows < 0 ? INT64_MAX : max_rows};
  std::vector<PurgedTable> purged;
  for (const char* table : kChildTables) {
    auto rows = db.execute(child_delete(table), params);
    if (!rows) return rows.error();
    purged.push_back({table, *rows});
  }
  auto rows = db.execute(kImagesDelete, params);
  if (!rows) return rows.error();
  purged.push_back({"images", *rows});
  auto fences = db.execute(kFencesDelete, std::span(&params[1], 1));
  if (!fences) return fences.error();
  purged.push_back({"write_fences", *fences});
  return purged;
}

}  // namespace glance::registry
