#pragma once

#include "common/auth/keystone_auth_options.h"
#include "common/config_file.h"
#include "common/context_policy.h"
#include "common/http/server_config.h"
#include "common/logging.h"
#include "common/policy/enforcer.h"

#include <map>
#include <optional>
#include <string>

namespace glance::registry {

// Everything glance-registry reads from glance-registry.conf.
struct RegistryConfig {
  common::http::ServerConfig server;
  common::LogConfig log;
  common::ContextPolicy context;
  // [keystone_authtoken], with flavor keystone only.
  std::optional<common::auth::KeystoneAuthOptions> keystone;
  std::string database_connection;  // [database] connection
  // [database] max_pool_size: threads (each with one MySQL connection) running queries.
  // Enough to keep MySQL busy on a small host without a connection per request.
  int db_pool_size = 8;
  // [database] mysql_wsrep_sync_wait (see DatabaseUrl::wsrep_sync_wait).
  int wsrep_sync_wait = 1;
  int64_t limit_param_default = 25;
  int64_t api_limit_max = 1000;
  size_t max_request_id_length = 64;
  std::string healthcheck_disable_file;  // [healthcheck] disable_by_file_path
  // [healthcheck] check_database_node: GET /healthcheck also asks the database node
  // (health_resource.h). On, so that a load balancer takes out a registry whose database, or
  // Galera node, cannot serve it; off gives upstream's check of the disable file alone.
  bool healthcheck_database_node = true;
  // [oslo_policy], read as glance-api reads it, for context_is_admin only (as upstream's
  // registry context middleware asks it); search_dirs from the command line.
  common::policy::PolicyConfig policy;
};

RegistryConfig load_registry_config(common::ConfigFile& file);

// The rules the registry starts from: upstream's context_is_admin and default.
std::map<std::string, std::string> builtin_registry_policy_rules();

}  // namespace glance::registry
