#pragma once

#include "tests/support/daemon.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace glance::testing::chaos {

using namespace std::chrono_literals;

// upload_orphan_timeout: short, so that the test waits little past the chaos, yet several
// lease renewals long, so that a MariaDB restart does not make every live upload look dead.
constexpr int kOrphanTimeoutSeconds = 6;

// A registry on a fixed port (so the api's configuration stays valid across its restarts)
// and an api on whatever port it gets, both replaced by new processes when killed.
class Cluster {
 public:
  Cluster()
      : db_url_(MariadbServer::instance().fresh_database()),
        datadir_(make_temp_dir("glance-chaos-store") + "/images") {
    Daemon schema(registry_binary(), registry_config(db_url_));
    auto [code, out] =
        Daemon::run(manage_binary(), "--config-file " + schema.config_path() + " db_sync");
    if (code != 0) throw std::runtime_error("db_sync failed: " + out);
    start_registry();
    start_api();
  }

  int api_port() const { return api_port_.load(); }
  int registry_port() const { return registry_port_; }
  const std::string& datadir() const { return datadir_; }
  std::string database() const { return db_url_.substr(db_url_.rfind('/') + 1); }
  Daemon& api() { return *apis_.back(); }
  Daemon& registry() { return *registries_.back(); }

  // SIGKILLs the daemon and starts a new one. Returns false, with the reason, when the old
  // one had already exited on its own: a crash the chaos did not cause.
  bool kill_and_restart_api(std::string* why) {
    bool ours = kill(api(), why);
    start_api();
    return ours;
  }
  bool kill_and_restart_registry(std::string* why) {
    bool ours = kill(registry(), why);
    start_registry();
    return ours;
  }

  size_t count_log_lines(const std::string& needle) const {
    size_t n = 0;
    for (const auto& daemons : {&apis_, &registries_})
      for (const auto& d : *daemons) {
        std::istringstream log(d->log());
        for (std::string line; std::getline(log, line);)
          n += line.find(needle) != std::string::npos;
      }
    return n;
  }

  // Every line of every daemon's log that mentions `needle`.
  std::string log_lines(const std::string& needle) const {
    std::string out;
    auto scan = [&](const char* who, const std::vector<std::unique_ptr<Daemon>>& daemons) {
      for (size_t i = 0; i < daemons.size(); ++i) {
        std::istringstream log(daemons[i]->log());
        for (std::string line; std::getline(log, line);)
          if (line.find(needle) != std::string::npos)
            out += std::string(who) + "#" + std::to_string(i) + ": " + line + "\n";
      }
    };
    scan("api", apis_);
    scan("registry", registries_);
    return out;
  }

 private:
  static bool kill(Daemon& daemon, std::string* why) {
    if (int status = daemon.wait_exit(0ms); status != -1) {
      *why = "exited on its own with status " + std::to_string(status) + ":\n" + daemon.log();
      return false;
    }
    daemon.signal(SIGKILL);
    daemon.wait_exit(60s);
    return true;
  }

  void start_registry() {
    std::string config = registry_config(db_url_);
    if (registry_port_ != 0) {
      auto at = config.find("bind_port = 0");
      config.replace(at, 13, "bind_port = " + std::to_string(registry_port_));
    }
    // The port of a killed process may be held a moment longer; a few tries.
    for (int attempt = 1;; ++attempt) {
      registries_.push_back(std::make_unique<Daemon>(registry_binary(), config));
      try {
        registries_.back()->start();
        registry_port_ = registries_.back()->port();
        return;
      } catch (const std::exception&) {
        if (attempt == 10) throw;
      }
    }
  }

  void start_api() {
    std::string config = "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n";
    config += "registry_host = 127.0.0.1\nregistry_port = " + std::to_string(registry_port_);
    config += "\nregistry_client_timeout = 20\nupload_orphan_timeout = " +
              std::to_string(kOrphanTimeoutSeconds) + "\n";
    config += "[glance_store]\nstores = file\ndefault_store = file\n";
    config += "filesystem_store_datadir = " + datadir_ + "\n";
    apis_.push_back(std::make_unique<Daemon>(api_binary(), config));
    apis_.back()->start();
    api_port_ = apis_.back()->port();
  }

  std::string db_url_;
  std::string datadir_;
  int registry_port_ = 0;
  std::atomic<int> api_port_{0};
  std::vector<std::unique_ptr<Daemon>> registries_;
  std::vector<std::unique_ptr<Daemon>> apis_;
};

}  // namespace glance::testing::chaos
