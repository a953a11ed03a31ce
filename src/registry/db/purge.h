#pragma once

#include "common/error.h"
#include "registry/db/mysql_connection.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace glance::registry {

// Rows hard-deleted from one table by purge_deleted_rows.
struct PurgedTable {
  std::string table;
  uint64_t rows = 0;
};

// glance-manage db purge: hard-deletes rows soft-deleted before `cutoff` (UTC), children first
// (image_properties, image_locations, image_members, image_tags, then images), at most
// `max_rows` rows from each table per call, oldest first (max_rows < 0: no bound), as
// upstream's purge_deleted_rows. An image still referenced by any child row (live, or beyond
// this call's bound) is kept for a later run, so the foreign keys never fail. Rows whose data
// glance-scrubber has still to delete are never purged: pending_delete locations, and a
// pending_delete image with every row of its own, until a scrub marks them deleted. Each table is
// its own statement: an error leaves earlier tables purged and returns the error.
Result<std::vector<PurgedTable>> purge_deleted_rows(MysqlConnection& db,
                                                    std::chrono::system_clock::time_point cutoff,
                                                    int64_t max_rows);

}  // namespace glance::registry
