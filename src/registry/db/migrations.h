#pragma once

#include "common/error.h"
#include "registry/db/mysql_connection.h"

namespace glance::registry {

// The schema version this build needs; db_sync brings a database up to it.
int required_schema_version();

// The version a database is at: 0 for an empty database.
Result<int> schema_version(MysqlConnection& db);

// Applies every numbered migration above the current version, in order, recording each.
// Returns the version reached.
Result<int> db_sync(MysqlConnection& db);

}  // namespace glance::registry
