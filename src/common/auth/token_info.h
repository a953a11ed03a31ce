#pragma once

#include "common/clock.h"
#include "common/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace glance::common::auth {

// What Keystone says about a token (the body of GET /v3/auth/tokens): whose it is, its scope,
// its roles and its expiry. Empty strings for what the token does not carry (a domain-scoped
// token has no project).
struct TokenInfo {
  std::string user_id;
  std::string user_name;
  std::string user_domain_id;
  std::string user_domain_name;
  std::string project_id;
  std::string project_name;
  std::string project_domain_id;
  std::string project_domain_name;
  std::string domain_id;  // domain-scoped tokens
  std::string domain_name;
  std::vector<std::string> roles;  // as Keystone spells them
  // Keystone leaves it out when no admin project is configured; keystonemiddleware then
  // assumes true.
  bool is_admin_project = true;
  std::string system_scope;  // "all" for a system-scoped token
  TimePoint expires_at{};

  bool has_role_in(const std::vector<std::string>& wanted) const;
};

// Parses a token body ({"token": {...}}). bad_gateway when it is not JSON, has no token
// object, no user id or no valid expires_at: Keystone answered, but not as it should. Pure;
// thread-safe.
Result<TokenInfo> parse_token_info(std::string_view body);

// The body of POST /v3/auth/tokens for password authentication of `user` in its domain
// (by id or name), scoped to `project` in its domain.
struct PasswordScope {
  std::string user;
  std::string password;
  std::string user_domain_id;
  std::string user_domain_name;
  std::string project;
  std::string project_domain_id;
  std::string project_domain_name;
};
std::string password_auth_request(const PasswordScope& who);

// The identity endpoint to validate tokens at: the first catalog entry of type "identity"
// with `interface` (and `region`, unless empty), from a token body; empty when there is none.
std::string find_identity_endpoint(std::string_view body, std::string_view interface,
                                   std::string_view region);

// `base` (Keystone's root or its /v3 URL) with "/v3" ensured and `path` appended.
std::string v3_url(std::string_view base, std::string_view path);

}  // namespace glance::common::auth
