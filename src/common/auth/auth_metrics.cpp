#include "common/auth/auth_metrics.h"

#include "common/auth/service_token.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

namespace glance::common::auth {

namespace {
const prometheus::Histogram::BucketBoundaries kBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}  // namespace

AuthMetrics::AuthMetrics(metrics::Metrics& metrics) {
  auto& registry = metrics.registry();
  auto& lookups = prometheus::BuildCounter()
                      .Name("glance_auth_token_cache_lookups_total")
                      .Help("Token validations, by how the token cache answered them.")
                      .Register(registry);
  lookups_[0] = &lookups.Add({{"result", "hit"}});
  lookups_[1] = &lookups.Add({{"result", "miss"}});
  lookups_[2] = &lookups.Add({{"result", "joined"}});
  auto& validations = prometheus::BuildCounter()
                          .Name("glance_auth_keystone_token_validations_total")
                          .Help("Token validations sent to Keystone, by outcome.")
                          .Register(registry);
  const char* outcomes[4] = {"ok", "rejected", "error", "unreachable"};
  for (int o = 0; o < 4; ++o) validations_[o] = &validations.Add({{"outcome", outcomes[o]}});
  duration_ = &prometheus::BuildHistogram()
                   .Name("glance_auth_keystone_token_validation_duration_seconds")
                   .Help("Latency of token validations sent to Keystone, in seconds.")
                   .Register(registry)
                   .Add({}, kBuckets);
  auto& authentications =
      prometheus::BuildCounter()
          .Name("glance_auth_service_token_authentications_total")
          .Help("Password authentications of the daemon's own users, by outcome.")
          .Register(registry);
  const char* results[4] = {"issued", "refused", "error", "unreachable"};
  for (int o = 0; o < 4; ++o) authentications_[o] = &authentications.Add({{"outcome", results[o]}});
  authentication_duration_ =
      &prometheus::BuildHistogram()
           .Name("glance_auth_service_token_authentication_duration_seconds")
           .Help("Latency of the daemon's own password authentications at Keystone, in seconds.")
           .Register(registry)
           .Add({}, kBuckets);
}

void AuthMetrics::looked_up(Lookup result) {
  lookups_[static_cast<int>(result)]->Increment();
}

void AuthMetrics::validated(unsigned status, std::chrono::duration<double> took) {
  const int o = status >= 200 && status < 300   ? 0
                : status >= 400 && status < 500 ? 1
                : status == 0                   ? 3
                                                : 2;
  validations_[o]->Increment();
  duration_->Observe(took.count());
}

void AuthMetrics::authenticated(Authentication outcome, std::chrono::duration<double> took) {
  authentications_[static_cast<int>(outcome)]->Increment();
  authentication_duration_->Observe(took.count());
}

void AuthMetrics::watch(ServiceToken& token) {
  token.set_metrics(this);
}

}  // namespace glance::common::auth
