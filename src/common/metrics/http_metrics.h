#pragma once

#include "common/http/server.h"
#include "common/metrics/metrics.h"

namespace glance::common::metrics {

// The request metrics of one HTTP server:
//   glance_http_requests_total{method,route,code}         answered requests
//   glance_http_request_duration_seconds{method,route}     histogram, header read to answer sent
//   glance_http_response_body_bytes_total{method,route}    bytes of answer bodies (downloads)
//   glance_http_open_connections, glance_http_requests_in_flight   gauges
// `route` is the route's path template ("/v1/images/{id}"), "none" when no route took the
// request (a filter answered it, or nothing matched); methods outside HTTP's usual ones count
// as "other". So the series stay bounded whatever clients send. Returns the observer to give
// the server (HttpServer::set_observer); `server` must outlive `metrics`' scrapes.
http::RequestObserver add_http_metrics(Metrics& metrics, const http::HttpServer& server);

}  // namespace glance::common::metrics
