#pragma once

#include "api/registry_client.h"
#include "common/http/router.h"

namespace glance::api {

// GET (or HEAD) /healthcheck/detailed: glance-api's detailed health for operators. 200 when the
// registry and its database answer, 503 otherwise; the JSON body names each component
// ("api", "registry", "database") with "OK" or the reason. Served before authentication,
// as oslo's healthcheck is. The registry client must outlive the routes.
void add_health_routes(common::http::Router& router, RegistryClient& registry);

}  // namespace glance::api
