#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace glance::common {
class ConfigFile;
}

namespace glance::common::auth {

// [keystone_authtoken], with keystonemiddleware's option names, for the daemons whose
// [paste_deploy] flavor is `keystone`: how to reach Keystone, the service user that validates
// tokens, and how long a validation is trusted. Read once at start-up; immutable after.
struct KeystoneAuthOptions {
  // Where clients get tokens, sent in WWW-Authenticate on a 401; auth_url when empty.
  std::string www_authenticate_uri;
  // Keystone's root or its /v3 URL, for the service user's password authentication.
  std::string auth_url;
  std::string auth_type = "password";  // the only plugin supported
  std::string username;
  std::string password;
  std::string project_name;
  std::string user_domain_name;  // default: user_domain_id "default"
  std::string user_domain_id;
  std::string project_domain_name;  // default: project_domain_id "default"
  std::string project_domain_id;
  // Which identity endpoint of the service token's catalog validates tokens.
  std::string region_name;  // empty: any region
  std::string interface = "internal";
  std::string cafile;  // empty: the system's certificates
  bool insecure = false;
  // A client certificate for a Keystone that asks for one (PEM; both or neither).
  std::string certfile;
  std::string keyfile;
  // keystonemiddleware's default: a validation is reused for 5 minutes, or until the token
  // expires if that comes first. A revoked token is thus honoured for at most this long.
  std::chrono::seconds token_cache_time{300};
  // When set, requests without a valid token pass on marked unconfirmed, and the context
  // decides (anonymous read-only access, or 401).
  bool delay_auth_decision = false;
  // A service token (X-Service-Token, as Nova sends it) must carry one of these roles to be
  // confirmed, and only then may it vouch for an expired user token.
  std::vector<std::string> service_token_roles{"service"};
  // keystonemiddleware's current default: a valid token without those roles is not a
  // service token.
  bool service_token_roles_required = true;
  std::chrono::seconds http_connect_timeout{10};
  // Per read or write on a Keystone connection.
  std::chrono::seconds http_request_timeout{30};

  // What WWW-Authenticate names.
  const std::string& authenticate_uri() const {
    return www_authenticate_uri.empty() ? auth_url : www_authenticate_uri;
  }
};

// Reads [keystone_authtoken]. Missing auth_url, username or password, an auth_type other than
// password, or a URL that is not http(s) are recorded as configuration errors (the daemon then
// refuses to start), and so is every keystonemiddleware option this daemon cannot honour in a
// way that weakens what it checks (enforce_token_bind beyond permissive,
// check_revocations_for_cached, auth_section). Options that change nothing about who is let
// in (memcached_servers and the memcache_* ones: the cache is in the process's memory,
// include_service_catalog, ...) are accepted and unused; the code says why for each.
KeystoneAuthOptions load_keystone_auth_options(ConfigFile& file);

}  // namespace glance::common::auth
