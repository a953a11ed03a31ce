#pragma once

#include "common/http/router.h"
#include "registry/db/db_executor.h"

#include <string>

namespace glance::registry {

class NodeHealth;

// GET (or HEAD) /healthcheck/detailed: whether the database serves, for operators and for
// glance-api's own detailed health. 200 {"database": "OK"}, or 503 with the reason.
//
// With `node` ([healthcheck] check_database_node), GET and HEAD /healthcheck too, the check
// load balancers ask: 503 "DISABLED BY FILE" while `disable_file` exists, else 503 with the
// reason when the database does not answer or its Galera node is not ready and synced
// (node_health.h), else 200 "OK". Served before the filters, so it takes the place of the
// plain /healthcheck filter. The detailed check then asks `node` as well. Without `node`,
// /healthcheck is left to the filter and the detailed check only asks whether MySQL answers.
// `db` and `node` must outlive the routes.
void add_health_routes(common::http::Router& router, DbExecutor& db, NodeHealth* node,
                       std::string disable_file);

}  // namespace glance::registry
