#include "tests/support/scale_out_cluster.h"

#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace glance::testing {

namespace {

std::string with_port(std::string config, int port) {
  if (port == 0) return config;
  auto at = config.find("bind_port = 0");
  return config.replace(at, 13, "bind_port = " + std::to_string(port));
}

std::string with_host(std::string config, const std::string& host) {
  auto at = config.find("bind_host = 127.0.0.1");
  return config.replace(at, 21, "bind_host = " + host);
}

void kill_daemon(Daemon& daemon) {
  if (!daemon.running()) throw std::runtime_error("the daemon to kill is not running");
  daemon.signal(SIGKILL);
  if (daemon.wait_exit(std::chrono::seconds(60)) == -1)
    throw std::runtime_error("a SIGKILLed daemon did not exit");
}

}  // namespace

ScaleOutCluster::ScaleOutCluster(size_t nodes, const std::string& api_extra,
                                 std::vector<std::string> db_urls,
                                 std::optional<ClusterStore> store)
    : db_urls_(std::move(db_urls)),
      datadir_(make_temp_dir("glance-scale-out-store") + "/images"),
      dir_(make_temp_dir("glance-scale-out")),
      api_extra_(api_extra) {
  if (store) {
    store_ = std::move(*store);
  } else {
    store_.options =
        "stores = file\ndefault_store = file\nfilesystem_store_datadir = " + datadir_ + "\n";
    store_.names = [dir = datadir_] {
      std::vector<std::string> names;
      if (std::filesystem::exists(dir))
        for (auto& e : std::filesystem::directory_iterator(dir))
          names.push_back(e.path().filename().string());
      return names;
    };
  }
  if (db_urls_.empty()) db_urls_.assign(nodes, MariadbServer::instance().fresh_database());
  if (db_urls_.size() != nodes) throw std::invalid_argument("one database URL per node");
  haproxy_.add_frontend("registry");
  haproxy_.add_frontend("api");
  Daemon schema(registry_binary(), registry_config(db_urls_[0]));
  auto [code, out] =
      Daemon::run(manage_binary(), "--config-file " + schema.config_path() + " db_sync");
  if (code != 0) throw std::runtime_error("db_sync failed: " + out);
  for (size_t i = 0; i < nodes; ++i) {
    registries_.push_back(start_on(registry_binary(), registry_config_of(i), 0));
    registry_ports_.push_back(registries_.back()->port());
  }
  // The apis name HAProxy's registry frontend, whose socket is bound already: a request they
  // send before HAProxy runs waits in its backlog.
  for (size_t i = 0; i < nodes; ++i) {
    apis_.push_back(start_on(api_binary(), api_config(i), 0));
    api_ports_.push_back(apis_.back()->port());
  }
  std::vector<HaproxyServer> registries, apis;
  for (size_t i = 0; i < nodes; ++i) {
    registries.push_back({node_address(i), registry_ports_[i]});
    apis.push_back({node_address(i), api_ports_[i]});
  }
  haproxy_.set_servers("registry", std::move(registries));
  haproxy_.set_servers("api", std::move(apis));
  haproxy_.start();
  for (size_t i = 0; i < nodes; ++i)
    if (!haproxy_.wait_for_status("registry", i, "UP") || !haproxy_.wait_for_status("api", i, "UP"))
      throw std::runtime_error("HAProxy does not see node " + std::to_string(i) + " up:\n" +
                               haproxy_.log());
}

std::string ScaleOutCluster::api_config(size_t node) const {
  std::string c = "[DEFAULT]\nbind_host = " + node_address(node) + "\nbind_port = 0\nworkers = 2\n";
  c += "registry_host = 127.0.0.1\nregistry_port = " + std::to_string(registry_port()) + "\n";
  c += "registry_client_timeout = 30\n" + api_extra_ + "\n";
  c += "[glance_store]\n" + store_.options;
  c += "[healthcheck]\ndisable_by_file_path = " + disable_file("api", node) + "\n";
  return c;
}

// Each thread of a registry's database pool opens its MySQL connection when it first runs a
// query, so a registry's descriptors grow with the concurrency it has seen, up to the pool
// size. Two threads keep that growth within what expect_recovered() allows, so that a leak
// still shows. registry_config() ends in its [database] section, where the option belongs.
std::string ScaleOutCluster::registry_config_of(size_t node) const {
  return with_host(registry_config(db_urls_.at(node)), node_address(node)) +
         "max_pool_size = 2\n[healthcheck]\n" +
         "disable_by_file_path = " + disable_file("registry", node) + "\n";
}

std::string ScaleOutCluster::disable_file(const std::string& daemon, size_t node) const {
  return dir_ + "/" + daemon + std::to_string(node) + ".disabled";
}

void ScaleOutCluster::set_draining(size_t node, bool draining) {
  for (const char* daemon : {"api", "registry"}) {
    if (draining)
      std::ofstream(disable_file(daemon, node)) << "draining\n";
    else
      std::filesystem::remove(disable_file(daemon, node));
  }
}

std::unique_ptr<Daemon> ScaleOutCluster::start_on(const std::string& binary, std::string config,
                                                  int port) {
  config = with_port(std::move(config), port);
  for (int attempt = 1;; ++attempt) {
    auto daemon = std::make_unique<Daemon>(binary, config);
    try {
      daemon->start();
      return daemon;
    } catch (const std::exception&) {
      if (port == 0 || attempt == 10) throw;
    }
  }
}

std::set<std::string> ScaleOutCluster::stored_uploads() const {
  std::set<std::string> uploads;
  for (const auto& name : stored()) uploads.insert(store_.upload_of(name));
  return uploads;
}

void ScaleOutCluster::kill_api(size_t node) {
  kill_daemon(api(node));
}

void ScaleOutCluster::kill_registry(size_t node) {
  kill_daemon(registry(node));
}

void ScaleOutCluster::restart_api(size_t node) {
  apis_.at(node) = start_on(api_binary(), api_config(node), api_ports_.at(node));
}

void ScaleOutCluster::restart_registry(size_t node) {
  registries_.at(node) =
      start_on(registry_binary(), registry_config_of(node), registry_ports_.at(node));
}

}  // namespace glance::testing
