#pragma once

#include "common/auth/token_info.h"
#include "common/clock.h"
#include "common/error.h"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace glance::common::http {
class HttpClient;
}

namespace glance::common::auth {

class AuthMetrics;

// Who a daemon is towards Keystone: password credentials and where to present them.
struct ServiceCredentials {
  std::string auth_url;  // Keystone's root or its /v3 URL
  PasswordScope scope;
  // Which identity endpoint of the token's catalog to report (auth_url when none matches,
  // or when `interface` is empty).
  std::string interface = "internal";
  std::string region;  // empty: any region
  // Names the options to fix in the log when Keystone refuses the credentials.
  std::string config_name = "[keystone_authtoken]";
};

// A token of the daemon's own (password authentication, POST /v3/auth/tokens), obtained on
// first use, renewed shortly before it expires or once a peer refuses it. Concurrent callers
// share one round trip.
//
// When Keystone refuses the credentials (a 4xx: a wrong password, a disabled user, an unknown
// project), no one asks again for a while: the first refusal waits kFirstBackOff, each next
// one twice as long as the last, up to kMaxBackOff, and meanwhile grant() fails at once with
// `unavailable`, without a round trip. Each refusal is logged once, with Keystone's reason and
// the length of the back-off; the first success ends it. An unreachable Keystone is not backed
// off: it costs each caller only the connect timeout, and its return must be seen at once.
//
// Safe for concurrent use from the threads of one io_context. `client` and `clock` must
// outlive this object.
class ServiceToken {
 public:
  struct Grant {
    std::string token;
    std::string identity_endpoint;  // from the catalog, or auth_url
    std::chrono::steady_clock::time_point refresh_at;
  };

  static constexpr std::chrono::seconds kFirstBackOff{1};
  static constexpr std::chrono::seconds kMaxBackOff{60};

  ServiceToken(http::HttpClient& client, ServiceCredentials credentials, const Clock& clock);
  ~ServiceToken();
  ServiceToken(const ServiceToken&) = delete;
  ServiceToken& operator=(const ServiceToken&) = delete;

  // The current token, authenticating first when there is none or it is due for renewal.
  // unavailable when Keystone cannot be reached, refuses the credentials (or did so within
  // the back-off), or answers something else.
  boost::asio::awaitable<Result<Grant>> grant();
  // A peer refused `stale`: the next grant() authenticates again (unless another caller
  // already did).
  void refused(const std::string& stale);

  // Authentication round trips so far, for tests and diagnostics.
  uint64_t authentications() const { return authentications_.load(); }
  // Reports each authentication's outcome and latency to `metrics` (which must outlive this
  // object); before first use.
  void set_metrics(AuthMetrics* metrics) { metrics_ = metrics; }

 private:
  struct Flight;
  boost::asio::awaitable<Result<Grant>> authenticate();
  void finish(const std::shared_ptr<Flight>& flight, const Result<Grant>& outcome);
  // After a refusal: how long to wait before asking again (and starts waiting).
  std::chrono::seconds back_off();

  http::HttpClient& client_;
  const ServiceCredentials credentials_;
  const Clock& clock_;
  AuthMetrics* metrics_ = nullptr;
  std::atomic<uint64_t> authentications_{0};
  std::mutex mutex_;
  std::optional<Grant> current_;
  std::shared_ptr<Flight> pending_;
  std::chrono::steady_clock::time_point refused_until_{};
  std::chrono::seconds last_back_off_{0};
};

}  // namespace glance::common::auth
