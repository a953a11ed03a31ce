#include "common/auth/keystone_auth_options.h"

#include "common/config_file.h"
#include "common/http/client.h"
#include "common/http/tls_context.h"

namespace glance::common::auth {

namespace {
constexpr const char* kSection = "keystone_authtoken";

void require(ConfigFile& file, const std::string& key, const std::string& value) {
  if (value.empty())
    file.add_error(kSection, key, "is required with [paste_deploy] flavor = keystone");
}

void require_url(ConfigFile& file, const std::string& key, const std::string& value) {
  if (!value.empty() && !http::parse_http_url(value))
    file.add_error(kSection, key, "is not an http(s) URL");
}

void check_client_certificate(ConfigFile& file, const KeystoneAuthOptions& o) {
  if (o.certfile.empty() != o.keyfile.empty()) {
    file.add_error(kSection, o.certfile.empty() ? "certfile" : "keyfile",
                   "a client certificate needs both certfile and keyfile");
    return;
  }
  if (auto pair = http::check_client_tls_files({o.certfile, o.keyfile, ""}); !pair)
    file.add_error(kSection, "certfile", pair.error().message());
  if (auto ca = http::check_client_tls_files({"", "", o.cafile}); !ca)
    file.add_error(kSection, "cafile", ca.error().message());
}

// Options that would make auth_token refuse tokens this daemon accepts, or read the
// credentials elsewhere: set to what this daemon does not do, they stop start-up.
void refuse_what_cannot_be_honoured(ConfigFile& file) {
  // Keystone issues no bound tokens since fernet; permissive (the default) and disabled
  // accept unbound tokens as this daemon does. strict, required or a bind type would refuse
  // tokens whose binding is not verified, which this daemon cannot verify.
  auto bind = file.get_string(kSection, "enforce_token_bind", "permissive");
  if (bind != "permissive" && bind != "disabled")
    file.add_error(kSection, "enforce_token_bind",
                   "only permissive and disabled are supported (token binding is not verified)");
  // A cached validation is not checked against the revocation list: a revoked token is
  // honoured until its cache entry ends (token_cache_time = 0 validates every request).
  if (file.get_bool(kSection, "check_revocations_for_cached", false))
    file.add_error(kSection, "check_revocations_for_cached",
                   "is not supported: lower token_cache_time instead (0 validates every request)");
  if (!file.get_string(kSection, "auth_section", "").empty())
    file.add_error(kSection, "auth_section",
                   "is not supported: set the credentials in [keystone_authtoken] itself");
}
}  // namespace

KeystoneAuthOptions load_keystone_auth_options(ConfigFile& file) {
  KeystoneAuthOptions o;
  auto get = [&](const char* key, std::string def) {
    return file.get_string(kSection, key, std::move(def));
  };
  o.www_authenticate_uri = get("www_authenticate_uri", "");
  if (o.www_authenticate_uri.empty()) o.www_authenticate_uri = get("auth_uri", "");  // old name
  o.auth_url = get("auth_url", "");
  o.auth_type = get("auth_type", o.auth_type);
  o.username = get("username", "");
  o.password = get("password", "");
  o.project_name = get("project_name", "");
  o.user_domain_name = get("user_domain_name", "");
  o.user_domain_id = get("user_domain_id", "");
  o.project_domain_name = get("project_domain_name", "");
  o.project_domain_id = get("project_domain_id", "");
  o.region_name = get("region_name", "");
  o.interface = get("interface", o.interface);
  o.cafile = get("cafile", "");
  o.insecure = file.get_bool(kSection, "insecure", o.insecure);
  o.certfile = get("certfile", "");
  o.keyfile = get("keyfile", "");
  o.token_cache_time =
      std::chrono::seconds(file.get_int(kSection, "token_cache_time", 300, -1, 86400 * 365));
  // keystonemiddleware's -1 turns the cache off.
  if (o.token_cache_time.count() < 0) o.token_cache_time = std::chrono::seconds(0);
  o.delay_auth_decision = file.get_bool(kSection, "delay_auth_decision", o.delay_auth_decision);
  o.service_token_roles = file.get_list(kSection, "service_token_roles", o.service_token_roles);
  o.service_token_roles_required =
      file.get_bool(kSection, "service_token_roles_required", o.service_token_roles_required);
  o.http_connect_timeout =
      std::chrono::seconds(file.get_int(kSection, "http_connect_timeout", 10, 1, 3600));
  o.http_request_timeout =
      std::chrono::seconds(file.get_int(kSection, "http_request_timeout", 30, 1, 3600));

  if (o.auth_type != "password")
    file.add_error(kSection, "auth_type", "must be password (the only plugin supported)");
  require(file, "auth_url", o.auth_url);
  require(file, "username", o.username);
  require(file, "password", o.password);
  require(file, "project_name", o.project_name);
  require_url(file, "auth_url", o.auth_url);
  require_url(file, "www_authenticate_uri", o.www_authenticate_uri);
  if (o.interface != "internal" && o.interface != "public" && o.interface != "admin")
    file.add_error(kSection, "interface", "must be internal, public or admin");
  check_client_certificate(file, o);
  refuse_what_cannot_be_honoured(file);
  // keystonemiddleware options that let no one in whom this daemon would refuse:
  // - memcached_servers, memcache_*: where validations are cached and how the cached entries
  //   are protected (memcache_security_strategy and memcache_secret_key sign or encrypt them
  //   in a shared memcached). This daemon caches in its own memory only, which nothing else
  //   can read or forge, for token_cache_time as auth_token does.
  // - auth_version: Keystone's API version; this daemon speaks v3 only, as the catalog says.
  // - include_service_catalog, service_type: whether and how X-Service-Catalog is passed on;
  //   it is never set here (validations ask for no catalog), and the headers a caller sends
  //   are removed.
  // - http_request_max_retries: a Keystone connection that fails is a 503 here, not a retry.
  // - cache, log_name: Swift's environ key and the logger's name.
  for (const char* key :
       {"auth_version", "memcached_servers", "memcache_security_strategy", "memcache_secret_key",
        "memcache_use_advanced_pool", "memcache_pool_dead_retry", "memcache_pool_maxsize",
        "memcache_pool_socket_timeout", "memcache_pool_unused_timeout",
        "memcache_pool_conn_get_timeout", "include_service_catalog", "http_request_max_retries",
        "cache", "service_type", "log_name"})
    file.accept(kSection, key);
  return o;
}

}  // namespace glance::common::auth
