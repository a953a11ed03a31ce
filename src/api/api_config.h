#pragma once

#include "api/cache/cache_config.h"
#include "api/property_protection_file.h"
#include "api/source_policy.h"
#include "common/auth/keystone_auth_options.h"
#include "common/auth/service_token.h"
#include "common/config_file.h"
#include "common/context_policy.h"
#include "common/http/server_config.h"
#include "common/image_formats.h"
#include "common/logging.h"
#include "common/notify/notification_options.h"
#include "common/policy/enforcer.h"
#include "store/store_registry.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace glance::api {

// How glance-api reaches glance-registry.
struct RegistryClientConfig {
  std::string host = "0.0.0.0";  // Glance's default; 0.0.0.0 means this host
  uint16_t port = 9191;
  // Upstream's registry_client_timeout: a whole call, 0 = none.
  std::chrono::seconds timeout{600};
  // A dead registry should cost a caller seconds, not the whole call timeout: connecting
  // to a live host on a LAN takes milliseconds.
  std::chrono::seconds connect_timeout{5};
  bool send_identity_headers = false;
  // use_user_token: forward the caller's token to the registry. When false, the api sends
  // its own token (registry_admin below) or, with auth_strategy = noauth, none.
  bool use_user_token = true;
  // Idle keep-alive connections kept per api process.
  size_t max_idle_connections = 64;
  // registry_client_protocol = https; the CA file and the insecure switch as upstream's
  // registry_client_ca_file and registry_client_insecure; a client certificate from
  // registry_client_cert_file and registry_client_key_file. Each file falls back, as
  // upstream's, to GLANCE_CLIENT_CA_FILE, GLANCE_CLIENT_CERT_FILE, GLANCE_CLIENT_KEY_FILE.
  bool tls = false;
  std::string ca_file;
  bool tls_insecure = false;
  std::string cert_file;
  std::string key_file;
};

// Everything glance-api reads from glance-api.conf. Defaults are Glance's.
struct ApiConfig {
  common::http::ServerConfig server;
  common::LogConfig log;
  common::ContextPolicy context;
  // [keystone_authtoken], with flavor keystone only.
  std::optional<common::auth::KeystoneAuthOptions> keystone;
  RegistryClientConfig registry;
  // With use_user_token = False and auth_strategy keystone (or auth_url set): admin_user,
  // admin_password and admin_tenant_name at auth_url (or $OS_AUTH_URL), whose token goes
  // with every registry call, as upstream's registry client does.
  std::optional<common::auth::ServiceCredentials> registry_admin;
  store::StoreConfig stores;
  CacheConfig cache;  // the image_cache_* options and the flavor's caching suffix
  common::ImageFormats formats;
  size_t max_request_id_length = 64;
  bool enable_v1_api = true;
  bool enable_v2_api = true;                   // upstream's default
  int64_t limit_param_default = 25;            // v2 list page size when the client gives none
  int64_t api_limit_max = 1000;                // the largest v2 list page
  std::string public_endpoint;                 // empty: the request's own host URL
  uint64_t image_size_cap = 1099511627776ULL;  // 1 TiB
  uint64_t user_storage_quota = 0;             // 0 = unlimited
  bool delayed_delete = false;
  // Seconds a saving upload may go without renewing its lease before any api node's reaper
  // kills it and removes its partial data (not in upstream, whose orphans stay saving). Long
  // enough that a busy registry never makes a live upload look dead; 0 = no reaper.
  std::chrono::seconds upload_orphan_timeout{300};
  int64_t image_member_quota = 128;    // members per image; negative = unlimited
  int64_t image_property_quota = 128;  // properties per image; negative = unlimited
  int64_t image_tag_quota = 128;       // tags per image (v2); negative = unlimited
  // v2's image view: the first location as direct_url, and every location (upstream's
  // defaults: neither, as locations may hold credentials).
  bool show_image_direct_url = false;
  bool show_multiple_locations = false;
  std::string healthcheck_disable_file;
  // Read and checked in main once the policy is loaded (load_property_protections).
  PropertyProtectionConfig property_protection;
  SourcePolicyConfig source_policy;  // checked here: SourcePolicy::from_config succeeds
  // [oslo_policy]; search_dirs are filled by policy::policy_search_dirs(), from the command
  // line.
  common::policy::PolicyConfig policy;
  // Not upstream options (Glance runs one thread per request and has no such caps). Each
  // upload holds up to 2 MiB of chunks, a temporary file and a registry connection: 64 of them
  // and 16 copies fit a 2-core node with room to spare. 0 = no cap.
  size_t max_concurrent_uploads = 64;
  size_t max_concurrent_copies = 16;
  // Threads that hash and write image data and run fsync/unlink for every transfer; 0 = one
  // per CPU, at least 4 (an upload keeps three jobs in flight: MD5, SHA-256, write(2)).
  size_t store_worker_threads = 0;
  // [oslo_messaging_notifications] and the notification options of [DEFAULT].
  common::notify::NotificationOptions notifications;
};

// The size of the pool store_worker_threads configures.
size_t store_worker_threads(const ApiConfig& config);

// Reads the options; conversion errors are recorded in `file` (see check_config_or_exit).
ApiConfig load_api_config(common::ConfigFile& file);

// "<n>[B|KB|MB|GB|TB]" with binary multiples, as user_storage_quota is written.
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace glance::api
