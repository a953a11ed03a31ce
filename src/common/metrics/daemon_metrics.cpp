#include "common/metrics/daemon_metrics.h"

#include "common/metrics/http_metrics.h"
#include "common/metrics/process_metrics.h"
#include "common/standard_filters.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace glance::common::metrics {

namespace {

void add_metrics_route(http::Router& routes, Metrics& metrics) {
  auto scrape = [&metrics](http::Request&) -> boost::asio::awaitable<Result<http::Response>> {
    auto res = http::Response::text(200, metrics.scrape());
    res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    co_return res;
  };
  routes.add("GET", "/metrics", scrape);
  routes.add("HEAD", "/metrics", scrape);
}

// A scraper needs few connections and no bodies: tight limits keep a flood of them, or a slow
// client, from holding much.
http::ServerConfig listener_config(const http::ServerConfig& daemon,
                                   const MetricsListenerOptions& where) {
  http::ServerConfig c = daemon;
  c.bind_host = where.host.empty() ? daemon.bind_host : where.host;
  c.bind_port = where.port.value_or(0);
  c.tls = {};
  c.max_connections = std::min<size_t>(daemon.max_connections, 64);
  c.max_buffered_body = 64 << 10;
  c.client_socket_timeout = std::min(daemon.client_socket_timeout, std::chrono::seconds(60));
  return c;
}

}  // namespace

MetricsListenerOptions load_metrics_listener_options(ConfigFile& file) {
  const std::string d = "DEFAULT";
  MetricsListenerOptions o;
  // An empty value is unset, as for any option.
  if (file.get_optional(d, "metrics_bind_port"))
    o.port = static_cast<uint16_t>(file.get_int(d, "metrics_bind_port", 0, 0, 65535));
  o.host = file.get_string(d, "metrics_bind_host", "");
  return o;
}

MetricsListener::MetricsListener(boost::asio::io_context& ioc, const http::ServerConfig& daemon,
                                 const MetricsListenerOptions& where, Metrics& metrics,
                                 std::string healthcheck_disable_file)
    : host_(where.host.empty() ? daemon.bind_host : where.host),
      router_(http::Router::OnWrongMethod::method_not_allowed_with_allow),
      server_(ioc, listener_config(daemon, where), router_,
              {healthcheck_filter(std::move(healthcheck_disable_file))}) {
  add_metrics_route(router_, metrics);
}

Result<uint16_t> MetricsListener::start() {
  auto port = server_.start();
  if (!port) return Error::unavailable("cannot serve /metrics: " + port.error().message());
  spdlog::info("serving /metrics on {}:{}", host_, *port);
  return *port;
}

Result<std::unique_ptr<MetricsListener>> expose_metrics(
    boost::asio::io_context& ioc, const http::ServerConfig& config,
    const MetricsListenerOptions& where, Metrics& metrics, http::Router& early_routes,
    http::HttpServer& server, std::string healthcheck_disable_file) {
  if (!config.expose_metrics) return std::unique_ptr<MetricsListener>();
  add_process_metrics(metrics);
  server.set_observer(add_http_metrics(metrics, server));
  if (!where.port) {
    add_metrics_route(early_routes, metrics);
    return std::unique_ptr<MetricsListener>();
  }
  auto listener = std::make_unique<MetricsListener>(ioc, config, where, metrics,
                                                    std::move(healthcheck_disable_file));
  if (auto port = listener->start(); !port) return port.error();
  return listener;
}

}  // namespace glance::common::metrics
