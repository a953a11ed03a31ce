#pragma once

#include "common/metrics/metrics.h"

#include <chrono>

namespace prometheus {
class Counter;
class Histogram;
}  // namespace prometheus

namespace glance::common::auth {

class ServiceToken;

// Token validation and the daemon's own Keystone authentications:
//   glance_auth_token_cache_lookups_total{result}   validations asked of TokenValidator: hit
//       (answered from the cache), miss (sent to Keystone), joined (waited for the round
//       trip another request had started with the same token)
//   glance_auth_keystone_token_validations_total{outcome}   GET /v3/auth/tokens sent to
//       Keystone: ok (2xx), rejected (4xx: unknown or revoked token, refused service token),
//       error (another answer), unreachable (none)
//   glance_auth_keystone_token_validation_duration_seconds   histogram of the same
//   glance_auth_service_token_authentications_total   the service user's password
//       authentications (ServiceToken), read at scrape time
// Series are resolved here once. Safe for concurrent use; `metrics` must outlive it.
class AuthMetrics {
 public:
  enum class Lookup { hit, miss, joined };

  explicit AuthMetrics(metrics::Metrics& metrics);
  void looked_up(Lookup result);
  // `status` is Keystone's answer, 0 when there was none.
  void validated(unsigned status, std::chrono::duration<double> took);
  // Counts `token`'s authentications from now on; `token` must outlive the scrapes.
  void watch(const ServiceToken& token);

 private:
  metrics::Metrics& metrics_;
  prometheus::Counter* lookups_[3] = {};
  prometheus::Counter* validations_[4] = {};  // ok, rejected, error, unreachable
  prometheus::Histogram* duration_ = nullptr;
  prometheus::Counter* authentications_ = nullptr;
};

}  // namespace glance::common::auth
