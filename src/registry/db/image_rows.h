#pragma once

// Reading images out of MySQL rows: shared by the image and member repositories.

#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"
#include "registry/db/mysql_connection.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::registry {

// The images columns in the order image_from_row() reads them.
inline constexpr std::string_view kImageColumns =
    "id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, "
    "container_format, checksum, owner, min_disk, min_ram, protected, virtual_size, visibility, "
    "os_hash_algo, os_hash_value, os_hidden";

common::Image image_from_row(const SqlRow& row);

// A location from its image_locations columns (id, value, meta_data, status); metadata that
// is not a JSON object reads as none.
common::ImageLocation location_from_columns(const std::optional<std::string>& id,
                                            const std::optional<std::string>& url,
                                            const std::optional<std::string>& meta_data,
                                            const std::optional<std::string>& status);

// Loads the live properties, locations and tags of every image, in one round trip per 1,024.
Result<void> load_details(MysqlConnection& db, std::vector<common::Image>& images);

// The image row with its live properties, locations and tags, whatever its visibility, in one
// round trip (nullopt if absent): the hot path of GET /images/{id}.
Result<std::optional<common::Image>> find_image_with_details(MysqlConnection& db,
                                                             const std::string& id);

// The image row whatever its visibility (nullopt if absent). `for_update` locks the row for
// the enclosing transaction.
Result<std::optional<common::Image>> find_image_row(MysqlConnection& db, const std::string& id,
                                                    bool for_update);

// `found` if it exists and the caller may see it, else not_found with `missing_message`.
Result<common::Image> only_if_visible(MysqlConnection& db, const common::RequestContext& ctx,
                                      std::optional<common::Image> found,
                                      const std::string& missing_message);

// The image if the caller may see it, else not_found with `missing_message`.
Result<common::Image> find_visible_image(MysqlConnection& db, const common::RequestContext& ctx,
                                         const std::string& id, bool for_update,
                                         const std::string& missing_message);

// Whether `member` has a live membership of the image.
Result<bool> has_live_membership(MysqlConnection& db, const std::string& image_id,
                                 const std::string& member);

}  // namespace glance::registry
