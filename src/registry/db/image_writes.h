#pragma once

// Writing the parts of an image row set: used by MysqlImageRepository inside its
// transactions.

#include "common/image.h"
#include "registry/db/mysql_connection.h"

#include <string>

namespace glance::registry {

// Upserts each given property (undeleting a soft-deleted row of the same name); with
// `purge`, soft-deletes the live properties not given.
Result<void> write_properties(MysqlConnection& db, const std::string& image_id,
                              const common::ImageProperties& given,
                              const common::ImageProperties& existing, bool purge,
                              const std::string& now);

// Makes the image's live tags the set `given` (duplicates collapse), soft-deleting the others.
Result<void> write_tags(MysqlConnection& db, const std::string& image_id,
                        const std::vector<std::string>& given,
                        const std::vector<std::string>& existing, const std::string& now);

// Replaces the live location set: rows whose id is not listed are soft-deleted, listed ids
// updated, entries without id inserted (one naming a live location's url is that location).
// A list that names any location by id is a compare-and-set of the whole set: every id must
// be a live location of the image and every live location must be listed (by id, or by url;
// a removed one with status deleted), else conflict "Image operation conflicts", so that two
// writers who read the same set cannot both win.
Result<void> write_locations(MysqlConnection& db, const std::string& image_id,
                             const std::vector<common::ImageLocation>& given,
                             const std::vector<common::ImageLocation>& existing,
                             const std::string& now);

// Column assignments ("name = ?", ...) and their values for the image fields that are set.
void image_column_assignments(const common::ImageFields& fields, std::string* sql,
                              std::vector<SqlValue>* params);

}  // namespace glance::registry
