#pragma once

#include "common/http/router.h"
#include "registry/db/db_executor.h"

namespace glance::registry {

// GET /healthcheck/detailed: whether MySQL answers, for operators and for glance-api's own
// detailed health. 200 {"database": "OK"}, or 503 with the reason. The executor must
// outlive the routes.
void add_health_routes(common::http::Router& router, DbExecutor& db);

}  // namespace glance::registry
