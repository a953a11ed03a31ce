#pragma once

#include "registry/db/mysql_connection.h"

#include <vector>

namespace glance::registry {

// Whether the database server a registry talks to may serve it, for the health check a load
// balancer asks. A plain MySQL or MariaDB server serves while it answers. A Galera node serves
// only while it is ready (wsrep_ready ON), in the primary component (wsrep_cluster_status
// Primary) and synced with the cluster (wsrep_local_state 4): a joiner or a node cut off from
// the primary component refuses or fails queries, and a donor or desynced node may be blocked
// by a state transfer or lag behind what the other nodes committed.

// The rows of SHOW GLOBAL STATUS for a Galera node (name, value), judged: ok, or unavailable
// naming what is wrong. A row missing counts as wrong. Pure.
Result<void> judge_galera_status(const std::vector<SqlRow>& rows);

// Asks `db`'s server (blocking: DbExecutor threads only). Ok on a server that is not a Galera
// node once it answers; unavailable when it does not answer or its node may not serve.
Result<void> check_node_serves(MysqlConnection& db);

}  // namespace glance::registry
