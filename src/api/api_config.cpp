#include "api/api_config.h"

#include "common/daemon.h"
#include "common/http/client.h"
#include "common/http/tls_context.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <utility>

namespace glance::api {

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  static constexpr std::pair<std::string_view, int> kUnits[] = {{"", 0},    {"B", 0},   {"KB", 10},
                                                                {"MB", 20}, {"GB", 30}, {"TB", 40}};
  for (auto [name, shift] : kUnits)
    if (unit == name) {
      if (shift > 0 && n > (UINT64_MAX >> shift)) return std::nullopt;
      return n << shift;
    }
  return std::nullopt;
}

namespace {
std::string option_or_environment(common::ConfigFile& file, const char* key, const char* env) {
  auto value = file.get_string("DEFAULT", key, "");
  if (value.empty())
    if (const char* from_env = std::getenv(env)) value = from_env;
  return value;
}

// The files securing the registry link are all used or the api does not start: set for a
// plain-HTTP link, half a key pair, or a file that does not load are refused, naming the
// option.
void load_registry_client_tls(common::ConfigFile& file, RegistryClientConfig& c) {
  const std::string d = "DEFAULT";
  const char* const kFiles[] = {"registry_client_ca_file", "registry_client_cert_file",
                                "registry_client_key_file"};
  if (!c.tls) {
    for (const char* key : kFiles)
      if (!file.get_string(d, key, "").empty())
        file.add_error(d, key, "needs registry_client_protocol = https");
    return;
  }
  c.ca_file = option_or_environment(file, kFiles[0], "GLANCE_CLIENT_CA_FILE");
  c.cert_file = option_or_environment(file, kFiles[1], "GLANCE_CLIENT_CERT_FILE");
  c.key_file = option_or_environment(file, kFiles[2], "GLANCE_CLIENT_KEY_FILE");
  if (c.cert_file.empty() != c.key_file.empty()) {
    file.add_error(d, c.cert_file.empty() ? kFiles[1] : kFiles[2],
                   "a client certificate needs both registry_client_cert_file and "
                   "registry_client_key_file");
    return;
  }
  if (auto pair = common::http::check_client_tls_files({c.cert_file, c.key_file, ""}); !pair)
    file.add_error(d, kFiles[1], pair.error().message());
  // Not used with registry_client_insecure, as upstream; it must still load.
  if (auto ca = common::http::check_client_tls_files({"", "", c.ca_file}); !ca)
    file.add_error(d, kFiles[0], ca.error().message());
}

RegistryClientConfig load_registry_client(common::ConfigFile& file) {
  const std::string d = "DEFAULT";
  RegistryClientConfig c;
  c.host = file.get_string(d, "registry_host", "0.0.0.0");
  c.port = static_cast<uint16_t>(file.get_int(d, "registry_port", 9191, 1, 65535));
  c.timeout = std::chrono::seconds(file.get_int(d, "registry_client_timeout", 600, 0));
  c.send_identity_headers = file.get_bool(d, "send_identity_headers", false);
  auto protocol = file.get_string(d, "registry_client_protocol", "http");
  if (protocol != "http" && protocol != "https")
    file.add_error(d, "registry_client_protocol", "must be http or https");
  c.tls = protocol == "https";
  c.tls_insecure = file.get_bool(d, "registry_client_insecure", false);
  load_registry_client_tls(file, c);
  c.use_user_token = file.get_bool(d, "use_user_token", true);
  return c;
}

// The registry link's own credentials, for use_user_token = False. Upstream reads them only
// then, and so does this api: with use_user_token = True they are accepted and unused, as
// upstream leaves them. A strategy it cannot follow, or missing credentials, stop start-up
// here rather than at the first registry call, where upstream failed.
std::optional<common::auth::ServiceCredentials> load_registry_admin(common::ConfigFile& file,
                                                                    bool use_user_token) {
  const std::string d = "DEFAULT";
  const char* const kKeys[] = {"admin_user", "admin_password", "admin_tenant_name",
                               "auth_url",   "auth_strategy",  "auth_region"};
  if (use_user_token) {
    for (const char* key : kKeys) file.accept(d, key);
    return std::nullopt;
  }
  auto auth_url = file.get_string(d, "auth_url", "");
  if (auth_url.empty())
    if (const char* from_env = std::getenv("OS_AUTH_URL")) auth_url = from_env;
  auto strategy = file.get_string(d, "auth_strategy", "noauth");
  if (strategy != "noauth" && strategy != "keystone")
    file.add_error(d, "auth_strategy", "must be noauth or keystone");
  // auth_region picked an image endpoint from the admin's catalog that upstream's registry
  // client never used: the registry is registry_host.
  file.accept(d, "auth_region");
  if (auth_url.empty() && strategy != "keystone") {
    for (const char* key : {"admin_user", "admin_password", "admin_tenant_name"})
      if (!file.get_string(d, key, "").empty())
        file.add_error(d, key, "is unused with use_user_token = False and auth_strategy = noauth");
    return std::nullopt;  // the api sends no token at all
  }
  common::auth::ServiceCredentials admin;
  admin.auth_url = auth_url;
  admin.scope.user = file.get_string(d, "admin_user", "");
  admin.scope.password = file.get_string(d, "admin_password", "");
  admin.scope.project = file.get_string(d, "admin_tenant_name", "");
  admin.interface.clear();  // the token only; no identity endpoint is needed
  admin.config_name = "[DEFAULT] admin_user, admin_password and admin_tenant_name";
  const std::pair<const char*, const std::string*> required[] = {
      {"auth_url", &admin.auth_url},
      {"admin_user", &admin.scope.user},
      {"admin_password", &admin.scope.password},
      {"admin_tenant_name", &admin.scope.project}};
  for (const auto& [key, value] : required)
    if (value->empty())
      file.add_error(d, key,
                     "is required with use_user_token = False and auth_strategy = keystone");
  if (!admin.auth_url.empty() && !common::http::parse_http_url(admin.auth_url))
    file.add_error(d, "auth_url", "is not an http(s) URL");
  return admin;
}

SourcePolicyConfig load_source_policy(common::ConfigFile& file) {
  const std::string d = "DEFAULT";
  SourcePolicyConfig c;
  c.schemes = file.get_list(d, "external_source_schemes", c.schemes);
  c.allowed_hosts = file.get_list(d, "external_source_allowed_hosts", c.allowed_hosts);
  c.denied_hosts = file.get_list(d, "external_source_denied_hosts", c.denied_hosts);
  // Each list is checked alone, so that the error names its option.
  const std::pair<const char*, SourcePolicyConfig> lists[] = {
      {"external_source_schemes", {.schemes = c.schemes}},
      {"external_source_allowed_hosts", {.allowed_hosts = c.allowed_hosts}},
      {"external_source_denied_hosts", {.denied_hosts = c.denied_hosts}}};
  for (const auto& [key, only] : lists)
    if (auto policy = SourcePolicy::from_config(only); !policy)
      file.add_error(d, key, policy.error().message());
  return c;
}
}  // namespace

ApiConfig load_api_config(common::ConfigFile& file) {
  const std::string d = "DEFAULT";
  ApiConfig c;
  c.server = common::load_server_config(file, 9292);
  c.log = common::load_log_config(file);
  c.context = common::load_context_policy(file);
  c.keystone = common::load_keystone_auth(file, c.context);
  c.registry = load_registry_client(file);
  c.registry_admin = load_registry_admin(file, c.registry.use_user_token);
  c.stores = store::load_store_config(file);
  c.cache = load_cache_config(file, c.context.flavor);
  c.formats.disk_formats = file.get_list("image_format", "disk_formats", c.formats.disk_formats);
  c.formats.container_formats =
      file.get_list("image_format", "container_formats", c.formats.container_formats);
  c.max_request_id_length = static_cast<size_t>(file.get_int(d, "max_request_id_length", 64, 0));
  c.enable_v1_api = file.get_bool(d, "enable_v1_api", true);
  c.enable_v2_api = file.get_bool(d, "enable_v2_api", true);
  c.limit_param_default = file.get_int(d, "limit_param_default", 25, 1, 1000000);
  c.api_limit_max = file.get_int(d, "api_limit_max", 1000, 1, 1000000);
  c.public_endpoint = file.get_string(d, "public_endpoint", "");
  while (c.public_endpoint.ends_with('/')) c.public_endpoint.pop_back();
  c.image_size_cap =
      static_cast<uint64_t>(file.get_int(d, "image_size_cap", 1099511627776LL, 1, INT64_MAX));
  auto quota_text = file.get_string(d, "user_storage_quota", "0");
  if (auto quota = parse_byte_size(quota_text))
    c.user_storage_quota = *quota;
  else  // Taken as 0, a typo would turn every tenant's quota off.
    file.add_error(d, "user_storage_quota",
                   "must be a size in bytes, optionally with B, KB, MB, GB or TB (1024-based)");
  c.delayed_delete = file.get_bool(d, "delayed_delete", false);
  c.upload_orphan_timeout =
      std::chrono::seconds(file.get_int(d, "upload_orphan_timeout", 300, 0, 86400 * 7));
  c.image_member_quota = file.get_int(d, "image_member_quota", 128);
  c.image_property_quota = file.get_int(d, "image_property_quota", 128);
  c.image_tag_quota = file.get_int(d, "image_tag_quota", 128);
  c.show_image_direct_url = file.get_bool(d, "show_image_direct_url", false);
  c.show_multiple_locations = file.get_bool(d, "show_multiple_locations", false);
  c.healthcheck_disable_file = file.get_string("healthcheck", "disable_by_file_path", "");
  c.property_protection.file = file.get_string(d, "property_protection_file", "");
  auto format = file.get_string(d, "property_protection_rule_format", "roles");
  if (format == "policies")
    c.property_protection.format = PropertyRuleFormat::policies;
  else if (format != "roles")
    file.add_error(d, "property_protection_rule_format", "must be roles or policies");
  c.source_policy = load_source_policy(file);
  c.max_concurrent_uploads =
      static_cast<size_t>(file.get_int(d, "max_concurrent_uploads", 64, 0, 1000000));
  c.max_concurrent_copies =
      static_cast<size_t>(file.get_int(d, "max_concurrent_copies", 16, 0, 1000000));
  c.store_worker_threads = static_cast<size_t>(file.get_int(d, "store_worker_threads", 0, 0, 1024));
  c.notifications = common::notify::load_notification_options(file);
  // Read by upstream for features this api does not have (the scrubber, signing); none
  // changes who may do what.
  for (const char* key : {"scrub_time", "data_api", "digest_algorithm"}) file.accept(d, key);
  // Upstream encrypts the locations it sends the registry with it; storing them in clear
  // instead would betray the operator's intent.
  if (!file.get_string(d, "metadata_encryption_key", "").empty())
    file.add_error(d, "metadata_encryption_key", "is not supported (locations are not encrypted)");
  c.policy.policy_file = file.get_string("oslo_policy", "policy_file", "policy.json");
  c.policy.policy_dirs = file.get_list("oslo_policy", "policy_dirs", {"policy.d"});
  c.policy.default_rule = file.get_string("oslo_policy", "policy_default_rule", "default");
  return c;
}

size_t store_worker_threads(const ApiConfig& config) {
  if (config.store_worker_threads > 0) return config.store_worker_threads;
  return std::max<size_t>(4, std::thread::hardware_concurrency());
}

}  // namespace glance::api
