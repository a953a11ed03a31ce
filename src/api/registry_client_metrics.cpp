#include "api/registry_client_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

namespace glance::api {

namespace {

namespace bhttp = boost::beast::http;

constexpr std::array<const char*, 6> kMethodNames = {"GET", "HEAD",   "POST",
                                                     "PUT", "DELETE", "other"};
constexpr std::array<const char*, 4> kOutcomeNames = {"ok", "client_error", "server_error",
                                                      "unavailable"};

size_t method_index(bhttp::verb method) {
  switch (method) {
    case bhttp::verb::get:
      return 0;
    case bhttp::verb::head:
      return 1;
    case bhttp::verb::post:
      return 2;
    case bhttp::verb::put:
      return 3;
    case bhttp::verb::delete_:
      return 4;
    default:
      return 5;
  }
}

size_t outcome_index(unsigned status) {
  if (status >= 200 && status < 300) return 0;
  if (status >= 400 && status < 500) return 1;
  if (status == 0) return 3;
  return 2;  // 5xx, and anything the registry should never answer
}

const prometheus::Histogram::BucketBoundaries kBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

}  // namespace

RegistryClientMetrics::RegistryClientMetrics(common::metrics::Metrics& metrics) {
  auto& registry = metrics.registry();
  auto& requests = prometheus::BuildCounter()
                       .Name("glance_registry_client_requests_total")
                       .Help("Calls from glance-api to glance-registry, by method and outcome.")
                       .Register(registry);
  auto& durations =
      prometheus::BuildHistogram()
          .Name("glance_registry_client_request_duration_seconds")
          .Help("Latency of glance-api's calls to glance-registry, retries included, in seconds.")
          .Register(registry);
  for (size_t m = 0; m < kMethods; ++m) {
    for (size_t o = 0; o < kOutcomes; ++o)
      requests_[m][o] = &requests.Add({{"method", kMethodNames[m]}, {"outcome", kOutcomeNames[o]}});
    durations_[m] = &durations.Add({{"method", kMethodNames[m]}}, kBuckets);
  }
  retries_ = &prometheus::BuildCounter()
                  .Name("glance_registry_client_retries_total")
                  .Help(
                      "Calls to glance-registry sent again after a lost connection or a "
                      "refused service token.")
                  .Register(registry)
                  .Add({});
}

void RegistryClientMetrics::record(bhttp::verb method, unsigned status,
                                   std::chrono::duration<double> elapsed) {
  const size_t m = method_index(method);
  requests_[m][outcome_index(status)]->Increment();
  durations_[m]->Observe(elapsed.count());
}

void RegistryClientMetrics::retried() {
  retries_->Increment();
}

}  // namespace glance::api
