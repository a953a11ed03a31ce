#include "common/auth/keystone_auth_options.h"

#include "common/config_file.h"
#include "common/http/client.h"

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
  // keystonemiddleware options this daemon does without: its cache is in memory.
  for (const char* key :
       {"auth_version", "memcached_servers", "memcache_security_strategy", "memcache_secret_key",
        "memcache_use_advanced_pool", "memcache_pool_dead_retry", "memcache_pool_maxsize",
        "memcache_pool_socket_timeout", "memcache_pool_unused_timeout",
        "memcache_pool_conn_get_timeout", "include_service_catalog", "enforce_token_bind",
        "http_request_max_retries", "cache", "certfile", "keyfile", "service_type", "auth_section",
        "log_name"})
    file.accept(kSection, key);
  return o;
}

}  // namespace glance::common::auth
