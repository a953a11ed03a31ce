#pragma once

#include "common/clock.h"
#include "store/store.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace glance::common::http {
class HttpClient;
}

namespace glance::store {

// Who authenticates against Swift: an auth endpoint and an account's credentials, as glance_store
// keeps them in [glance_store] and in every location it writes.
struct SwiftCredentials {
  std::string auth_url;  // absolute http(s) URL: tempauth's .../auth/v1.0, Keystone's .../v3
  std::string user;      // tempauth "account:user"; Keystone "project:user"
  std::string key;
  auto operator<=>(const SwiftCredentials&) const = default;
};

// How to authenticate, and where the account's data is (glance_store's option names in
// [glance_store]).
struct SwiftAuthOptions {
  // 1: tempauth/swauth (GET auth_url with X-Auth-User/X-Auth-Key). 3: Keystone v3 password
  // authentication scoped to a project, the storage URL taken from the token's catalog.
  int version = 1;
  std::string service_type = "object-store";  // swift_store_service_type
  std::string endpoint_type = "publicURL";    // swift_store_endpoint_type
  std::string region;                         // swift_store_region; empty: any
  // swift_store_endpoint: when set, the storage URL, whatever authentication says.
  std::string endpoint;
};

// A token and the storage URL ("http://proxy:8080/v1/AUTH_test") it is valid for.
struct SwiftToken {
  std::string token;
  std::string storage_url;
  // When to authenticate again before using the token; unset when the server did not say.
  std::optional<std::chrono::steady_clock::time_point> refresh_at;
};

// Tokens for Swift requests, one per set of credentials, obtained once and reused by every
// request until Swift refuses one (a 401: the caller invalidates it) or it is about to expire.
// Concurrent callers wanting a token for the same credentials share one authentication: the
// first authenticates, the others wait for its outcome, so an expired token never causes a
// stampede on the auth server. Safe for concurrent use from the threads of one io_context.
// `client` must outlive this object.
//
// Errors of token(): bad_gateway when the auth server refuses the credentials (401/403; the
// reason is logged) or answers something unusable; unavailable when it cannot be reached or
// answers 5xx; bad_request for credentials Keystone cannot use (no "project:").
class SwiftAuth {
 public:
  SwiftAuth(common::http::HttpClient& client, SwiftAuthOptions options);
  ~SwiftAuth();

  // `check`, when set, vets the auth server's addresses (a location a client chose names it).
  Task<SwiftToken> token(const SwiftCredentials& who, const AddressCheck* check = nullptr);
  // Forgets `stale` (which Swift just refused) unless another caller replaced it meanwhile.
  void invalidate(const SwiftCredentials& who, std::string_view stale);
  // Caches `token` for `who` as if authentication had returned it: for a token obtained
  // elsewhere, and for tests that plant one the server has revoked.
  void adopt(const SwiftCredentials& who, SwiftToken token);
  // Authentications started so far (for tests and diagnostics).
  uint64_t authentications() const { return authentications_.load(); }

 private:
  struct Pending;
  struct Entry {
    std::optional<SwiftToken> token;
    std::shared_ptr<Pending> pending;  // set while one caller authenticates
  };
  using Key = std::tuple<std::string, std::string, std::string>;
  static Key key_of(const SwiftCredentials& who) { return {who.auth_url, who.user, who.key}; }

  Task<SwiftToken> authenticate(const SwiftCredentials& who, const AddressCheck* check);
  Task<SwiftToken> authenticate_v1(const SwiftCredentials& who, const AddressCheck* check);
  Task<SwiftToken> authenticate_v3(const SwiftCredentials& who, const AddressCheck* check);
  void finish(const Key& key, const std::shared_ptr<Pending>& pending,
              const common::Result<SwiftToken>& outcome);

  common::http::HttpClient& client_;
  SwiftAuthOptions options_;
  std::atomic<uint64_t> authentications_{0};
  std::mutex mutex_;
  std::map<Key, Entry> entries_;
};

// Keystone v3 password authentication, the parts that are pure functions of their input
// (https://docs.openstack.org/api-ref/identity/v3/, "Password authentication with scoped
// authorization"). No I/O; safe from any thread.
namespace keystone {

struct ProjectUser {
  std::string project;
  std::string user;
};
// glance_store's swift_store_user for Keystone, "project:user", split at the first ':'.
// bad_request when there is no ':' or either side is empty.
common::Result<ProjectUser> split_project_user(std::string_view user);

// Where to POST: the auth URL with "/auth/tokens" appended, and "/v3" before it unless the
// URL's path already ends with "/v3" (swift_store_auth_address may name Keystone's root).
std::string tokens_url(std::string_view auth_url);

// The JSON body of POST /v3/auth/tokens: method "password", the user by name in domain
// `domain_id`, scoped to the project by name in the same domain (glance_store's legacy options
// use the domain "default" for both).
std::string password_request(const ProjectUser& who, std::string_view password,
                             std::string_view domain_id = "default");

// The catalog interface of an endpoint type: publicURL → public, internalURL → internal,
// adminURL → admin; an interface name passes unchanged.
std::string interface_of(std::string_view endpoint_type);

// What a token response tells us: the storage URL (the first endpoint of the first service of
// type options.service_type with the endpoint type's interface, in options.region when set) and
// when the token expires. bad_gateway when the body is not a token or the catalog has no such
// endpoint.
struct TokenFacts {
  std::string storage_url;
  std::optional<common::TimePoint> expires_at;
};
common::Result<TokenFacts> parse_token_response(std::string_view body,
                                                const SwiftAuthOptions& options);

}  // namespace keystone

}  // namespace glance::store
