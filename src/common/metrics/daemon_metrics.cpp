#include "common/metrics/daemon_metrics.h"

#include "common/metrics/http_metrics.h"
#include "common/metrics/process_metrics.h"

namespace glance::common::metrics {

void expose_metrics(Metrics& metrics, http::Router& early_routes, http::HttpServer& server) {
  add_process_metrics(metrics);
  server.set_observer(add_http_metrics(metrics, server));
  early_routes.add("GET", "/metrics",
                   [&metrics](http::Request&) -> boost::asio::awaitable<Result<http::Response>> {
                     auto res = http::Response::text(200, metrics.scrape());
                     res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                     co_return res;
                   });
}

}  // namespace glance::common::metrics
