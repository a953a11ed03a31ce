#include "registry/registry_config.h"

#include "common/daemon.h"

namespace glance::registry {

RegistryConfig load_registry_config(common::ConfigFile& file) {
  RegistryConfig c;
  c.server = common::load_server_config(file, 9191);
  c.log = common::load_log_config(file);
  c.context = common::load_context_policy(file);
  c.keystone = common::load_keystone_auth(file, c.context);
  c.database_connection = file.get_string("database", "connection", "");
  c.db_pool_size = static_cast<int>(file.get_int("database", "max_pool_size", 8, 1, 256));
  c.wsrep_sync_wait =
      static_cast<int>(file.get_int("database", "mysql_wsrep_sync_wait", c.wsrep_sync_wait, 0, 15));
  c.limit_param_default = file.get_int("DEFAULT", "limit_param_default", 25, 1);
  c.api_limit_max = file.get_int("DEFAULT", "api_limit_max", 1000, 1);
  c.max_request_id_length =
      static_cast<size_t>(file.get_int("DEFAULT", "max_request_id_length", 64, 0));
  c.healthcheck_disable_file = file.get_string("healthcheck", "disable_by_file_path", "");
  c.healthcheck_database_node =
      file.get_bool("healthcheck", "check_database_node", c.healthcheck_database_node);
  // Read by upstream for features this registry does not have (v2 RPC, osprofiler).
  for (const char* key : {"enable_v1_registry", "enable_v2_registry"}) file.accept("DEFAULT", key);
  c.policy.policy_file = file.get_string("oslo_policy", "policy_file", "policy.json");
  c.policy.policy_dirs = file.get_list("oslo_policy", "policy_dirs", {"policy.d"});
  c.policy.default_rule = file.get_string("oslo_policy", "policy_default_rule", "default");
  return c;
}

std::map<std::string, std::string> builtin_registry_policy_rules() {
  return {{"context_is_admin", "role:admin"}, {"default", "role:admin"}};
}

}  // namespace glance::registry
