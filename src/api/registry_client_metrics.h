#pragma once

#include "common/metrics/metrics.h"

#include <boost/beast/http/verb.hpp>

#include <array>
#include <chrono>

namespace prometheus {
class Counter;
class Histogram;
}  // namespace prometheus

namespace glance::api {

// glance-api's calls to glance-registry, as HttpRegistryClient makes them:
//   glance_registry_client_requests_total{method,outcome}    calls, each with its retries;
//       outcome ok (2xx), client_error (4xx), server_error (5xx), unavailable (no answer)
//   glance_registry_client_request_duration_seconds{method}  histogram of the same calls
//   glance_registry_client_retries_total                     attempts sent again
// The series are resolved here once: recording is atomic increments and one histogram
// observation. Safe for concurrent use; `metrics` must outlive it.
class RegistryClientMetrics {
 public:
  explicit RegistryClientMetrics(common::metrics::Metrics& metrics);
  // `status` is the registry's last answer, 0 when there was none.
  void record(boost::beast::http::verb method, unsigned status,
              std::chrono::duration<double> elapsed);
  void retried();

 private:
  static constexpr size_t kMethods = 6;   // GET HEAD POST PUT DELETE, other
  static constexpr size_t kOutcomes = 4;  // ok client_error server_error unavailable
  std::array<std::array<prometheus::Counter*, kOutcomes>, kMethods> requests_{};
  std::array<prometheus::Histogram*, kMethods> durations_{};
  prometheus::Counter* retries_ = nullptr;
};

}  // namespace glance::api
