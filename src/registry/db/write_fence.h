#pragma once

#include "registry/db/mysql_connection.h"

#include <string>

namespace glance::registry {

// Serializes check-then-write transactions that must not interleave (counting an owner's
// stored bytes before reserving more, counting an image's members before adding one), on one
// MySQL server and across a Galera cluster alike. Row locks taken by reads are local to a
// Galera node, and named locks (GET_LOCK) are refused there, so each such transaction first
// writes the fence row of what it checks: on one server the row lock makes the others wait
// until it ends; across nodes, certification lets only one of two such transactions commit
// and rolls the other back with a deadlock error, which DbExecutor runs again
// (retry_rule.h). Call it first in the transaction, before the reads it protects.
Result<void> enter_fence(MysqlConnection& db, const std::string& name);

// The fence name for the storage quota of `owner` ("" for ownerless images).
std::string owner_fence(const std::string& owner);
// The fence name for the members of image `image_id`.
std::string image_fence(const std::string& image_id);

}  // namespace glance::registry
