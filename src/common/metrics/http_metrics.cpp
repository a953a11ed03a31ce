#include "common/metrics/http_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <array>
#include <string>
#include <string_view>

namespace glance::common::metrics {

namespace {

std::string method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "HEAD",  "POST",   "PUT",
                                                             "DELETE", "PATCH", "OPTIONS"};
  for (auto known : kKnown)
    if (method == known) return std::string(known);
  return "other";
}

// From a millisecond to the longest a transfer of a large image may reasonably take.
const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900};

}  // namespace

http::RequestObserver add_http_metrics(Metrics& metrics, const http::HttpServer& server) {
  auto& registry = metrics.registry();
  auto& requests = prometheus::BuildCounter()
                       .Name("glance_http_requests_total")
                       .Help("HTTP requests answered, by method, route template and status code.")
                       .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("glance_http_request_duration_seconds")
                        .Help("Time from a request's header read to its answer sent, in seconds.")
                        .Register(registry);
  auto& bytes = prometheus::BuildCounter()
                    .Name("glance_http_response_body_bytes_total")
                    .Help("Bytes of answer bodies sent, image data included.")
                    .Register(registry);
  auto& connections = prometheus::BuildGauge()
                          .Name("glance_http_open_connections")
                          .Help("Client connections open.")
                          .Register(registry)
                          .Add({});
  auto& in_flight = prometheus::BuildGauge()
                        .Name("glance_http_requests_in_flight")
                        .Help("Requests being served.")
                        .Register(registry)
                        .Add({});
  metrics.on_scrape([&server, &connections, &in_flight] {
    connections.Set(static_cast<double>(server.open_connections()));
    in_flight.Set(static_cast<double>(server.active_requests()));
  });
  return [&requests, &durations, &bytes](const http::RequestRecord& r) {
    const std::string method = method_label(r.method);
    const std::string route = r.route.empty() ? std::string("none") : std::string(r.route);
    requests.Add({{"method", method}, {"route", route}, {"code", std::to_string(r.status)}})
        .Increment();
    durations.Add({{"method", method}, {"route", route}}, kDurationBuckets)
        .Observe(r.elapsed.count());
    bytes.Add({{"method", method}, {"route", route}})
        .Increment(static_cast<double>(r.bytes_written));
  };
}

}  // namespace glance::common::metrics
