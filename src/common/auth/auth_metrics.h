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
//   glance_auth_service_token_authentications_total{outcome}   POST /v3/auth/tokens sent
//       for the daemon's own users (ServiceToken): issued (a token), refused (4xx: wrong
//       password, disabled user, unknown project), error (another answer, or one without a
//       usable token), unreachable (none)
//   glance_auth_service_token_authentication_duration_seconds   histogram of the same
// Series are resolved here once. Safe for concurrent use; `metrics` must outlive it.
class AuthMetrics {
 public:
  enum class Lookup { hit, miss, joined };
  enum class Authentication { issued, refused, error, unreachable };

  explicit AuthMetrics(metrics::Metrics& metrics);
  void looked_up(Lookup result);
  // `status` is Keystone's answer, 0 when there was none.
  void validated(unsigned status, std::chrono::duration<double> took);
  void authenticated(Authentication outcome, std::chrono::duration<double> took);
  // Counts `token`'s authentications from now on; before its first use.
  void watch(ServiceToken& token);

 private:
  prometheus::Counter* lookups_[3] = {};
  prometheus::Counter* validations_[4] = {};  // ok, rejected, error, unreachable
  prometheus::Histogram* duration_ = nullptr;
  prometheus::Counter* authentications_[4] = {};  // as Authentication
  prometheus::Histogram* authentication_duration_ = nullptr;
};

}  // namespace glance::common::auth
