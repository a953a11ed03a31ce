#pragma once

#include "common/auth/auth_metrics.h"
#include "common/auth/keystone_auth_options.h"
#include "common/auth/service_token.h"
#include "common/auth/token_validator.h"
#include "common/clock.h"
#include "common/http/client.h"
#include "common/http/server.h"

namespace glance::common::auth {

// What a daemon with [paste_deploy] flavor = keystone holds for token validation: the HTTP
// client for Keystone (its own connection pool), the service user's token, the validator with
// its cache, and the filter that puts them in front of the context filter. Create it after the
// io_context its connections run on, so that it is destroyed first. The filter must not outlive it.
class KeystoneAuth {
 public:
  explicit KeystoneAuth(KeystoneAuthOptions options);

  http::Filter filter();
  TokenValidator& validator() { return validator_; }
  // The service user's own token, also for the daemon's calls that act on no user's behalf.
  ServiceToken& service_token() { return service_; }
  // Reports the validator's and the service token's work (auth_metrics.h); before first use.
  void set_metrics(AuthMetrics* metrics) {
    validator_.set_metrics(metrics);
    if (metrics) metrics->watch(service_);
  }

 private:
  KeystoneAuthOptions options_;
  SystemClock clock_;
  http::HttpClient client_;
  ServiceToken service_;
  TokenValidator validator_;
};

}  // namespace glance::common::auth
