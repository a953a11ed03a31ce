#pragma once

#include "common/auth/keystone_auth_options.h"
#include "common/auth/service_token.h"
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
#include <unordered_map>

namespace glance::common::http {
class HttpClient;
}

namespace glance::common::auth {

class AuthMetrics;

// Validates tokens against Keystone v3 as keystonemiddleware's auth_token does, with the
// service user's token ([keystone_authtoken], renewed when Keystone refuses it): a user's
// token is checked with GET /v3/auth/tokens (X-Subject-Token), at the identity endpoint of the
// service token's catalog for the configured interface and region (auth_url when the catalog has
// none).
//
// A validation is cached in memory until token_cache_time has passed or the token expires,
// whichever comes first, so a cached token costs no round trip; a token revoked in Keystone is
// thus honoured until its cache entry ends. Concurrent requests with the same token share one
// Keystone round trip (the first asks, the others wait for its answer). Nothing here blocks a
// thread: all I/O is asynchronous.
//
// Safe for concurrent use from the threads of one io_context. `client` and `clock` must
// outlive this object.
class TokenValidator {
 public:
  // `service` is the service user's token (service_token.h); it must outlive this object.
  TokenValidator(http::HttpClient& client, ServiceToken& service, KeystoneAuthOptions options,
                 const Clock& clock);
  ~TokenValidator();
  TokenValidator(const TokenValidator&) = delete;
  TokenValidator& operator=(const TokenValidator&) = delete;

  // What Keystone says about `token`. With `allow_expired` (a confirmed service token vouches
  // for the request), an expired token is accepted as Keystone's allow_expired window allows.
  // Errors: unauthorized when Keystone does not know the token (bogus, revoked) or it has
  // expired; unavailable when Keystone cannot be reached, refuses the service user, or
  // answers something else.
  boost::asio::awaitable<Result<std::shared_ptr<const TokenInfo>>> validate(std::string token,
                                                                            bool allow_expired);

  // Keystone round trips so far, for tests and diagnostics.
  uint64_t validations() const { return validations_.load(); }
  // Reports cache lookups and Keystone requests from now on (nullptr: none). Call before the
  // first validation; `metrics` must outlive this object.
  void set_metrics(AuthMetrics* metrics) { metrics_ = metrics; }

 private:
  template <class T>
  struct Flight;
  using Info = std::shared_ptr<const TokenInfo>;
  struct CacheEntry {
    Info info;
    std::chrono::steady_clock::time_point fresh_until;
    std::shared_ptr<Flight<Info>> pending;
  };

  boost::asio::awaitable<Result<Info>> lead_validation(const std::string& key,
                                                       std::shared_ptr<Flight<Info>> flight,
                                                       const std::string& token,
                                                       bool allow_expired);
  boost::asio::awaitable<Result<Info>> ask_keystone(const std::string& token, bool allow_expired);
  void finish_validation(const std::string& key, const std::shared_ptr<Flight<Info>>& flight,
                         const Result<Info>& outcome);
  std::chrono::steady_clock::time_point fresh_until(const TokenInfo& info,
                                                    bool allow_expired) const;
  // With mutex_ held: makes room for one more entry.
  void make_room();

  http::HttpClient& client_;
  ServiceToken& service_;
  const KeystoneAuthOptions options_;
  const Clock& clock_;
  std::atomic<uint64_t> validations_{0};
  AuthMetrics* metrics_ = nullptr;
  std::mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
};

}  // namespace glance::common::auth
