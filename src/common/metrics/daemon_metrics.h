#pragma once

#include "common/http/router.h"
#include "common/http/server.h"
#include "common/metrics/metrics.h"

namespace glance::common::metrics {

// Makes a daemon serve its metrics: GET /metrics on `early_routes` (answered before
// authentication, as /healthcheck is: a scraper holds no token, and no metric names an image
// or a tenant), the process metrics, and `server`'s request metrics, beside whatever else was
// registered on `metrics`. Call before server.start(); `metrics` must outlive `server`, and
// `early_routes` must be the router given to `server` as its early routes.
void expose_metrics(Metrics& metrics, http::Router& early_routes, http::HttpServer& server);

}  // namespace glance::common::metrics
