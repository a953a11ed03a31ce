#pragma once

#include "common/config_file.h"
#include "common/error.h"
#include "common/http/router.h"
#include "common/http/server.h"
#include "common/metrics/metrics.h"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace glance::common::metrics {

// Where GET (and HEAD) /metrics is served: [DEFAULT] metrics_bind_port and metrics_bind_host.
// Another method on /metrics, wherever it is served, is 405 with "Allow: GET, HEAD", as on
// /healthcheck.
struct MetricsListenerOptions {
  // Unset: on the API listener, beside /healthcheck. Set: on a listener of its own (0: an
  // ephemeral port, logged once bound), so that operators can keep it off the API's network.
  std::optional<uint16_t> port;
  std::string host;  // empty: the daemon's bind_host
};
// Reads both options; a bad port is recorded in `file` as an error naming it.
MetricsListenerOptions load_metrics_listener_options(ConfigFile& file);

// GET /metrics on a listener of its own (metrics_bind_host:metrics_bind_port), plain HTTP, on
// the daemon's io_context; it answers /healthcheck too, and 404 or 405 to anything else.
// Its own requests are not counted in the request metrics. `metrics` must outlive it.
class MetricsListener {
 public:
  MetricsListener(boost::asio::io_context& ioc, const http::ServerConfig& daemon,
                  const MetricsListenerOptions& where, Metrics& metrics,
                  std::string healthcheck_disable_file);
  // Binds, then logs "serving /metrics on HOST:PORT" (the bound port, also with port 0).
  // Fails with unavailable when the address cannot be bound.
  Result<uint16_t> start();
  void stop() { server_.stop(); }
  void abort_connections() { server_.abort_connections(); }

 private:
  std::string host_;
  http::Router router_;
  http::HttpServer server_;
};

// Makes a daemon serve its metrics as `config` (expose_metrics) and `where` say: the process
// metrics and `server`'s request metrics beside whatever else is registered on `metrics`, and
// GET /metrics answered before authentication (a scraper holds no token, and no metric names
// an image or a tenant), either on `early_routes` (the router given to `server` as its early
// routes) or, with `where.port` set, on a MetricsListener it starts and returns (else
// nullptr). Call before server.start(); `metrics` must outlive `server` and the listener.
Result<std::unique_ptr<MetricsListener>> expose_metrics(
    boost::asio::io_context& ioc, const http::ServerConfig& config,
    const MetricsListenerOptions& where, Metrics& metrics, http::Router& early_routes,
    http::HttpServer& server, std::string healthcheck_disable_file);

}  // namespace glance::common::metrics
