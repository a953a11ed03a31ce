#include "tests/support/registry_fixture.h"

#include <stdexcept>

namespace glance::testing {

std::string registry_config(const std::string& db_url, const std::string& extra) {
  return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n" + extra +
         "\n[database]\nconnection = " + db_url + "\n";
}

RegistryEnvironment::RegistryEnvironment(
    const std::string& extra_config, const std::vector<std::pair<std::string, std::string>>& env)
    : db_url_(MariadbServer::instance().fresh_database()) {
  auto config = registry_config(db_url_, extra_config);
  daemon_ = std::make_unique<Daemon>(registry_binary(), config);
  for (const auto& [name, value] : env) daemon_->set_env(name, value);
  auto [code, out] =
      Daemon::run(manage_binary(), "--config-file " + daemon_->config_path() + " db_sync");
  if (code != 0) throw std::runtime_error("db_sync failed: " + out);
  daemon_->start();
}

HeaderList identity(const std::string& tenant, const std::string& roles, const std::string& user) {
  return {{"X-Identity-Status", "Confirmed"},
          {"X-Tenant-Id", tenant},
          {"X-User-Id", user},
          {"X-Roles", roles}};
}

}  // namespace glance::testing
