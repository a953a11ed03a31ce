#include "tests/support/galera_cluster.h"

#include "tests/support/eventually.h"
#include "tests/support/fixture_env.h"
#include "tests/support/mariadb_server.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace glance::testing {

namespace {
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

GaleraCluster& GaleraCluster::instance() {
  static GaleraCluster cluster;
  return cluster;
}

GaleraCluster::GaleraCluster() {
  FixtureEnv env("GLANCE_TEST_GALERA_DIR", "cluster.env",
                 "run this test through ctest, which starts the Galera cluster (declare it with "
                 "glance_add_test(... NEEDS_GALERA ...))",
                 "the Galera cluster did not start (see the galera_cluster_start test's output)");
  data_dir_ = env.get("GALERA_DATA_DIR");
  for (int n = 1; n <= 3; ++n) {
    ports_[n - 1] = std::stoi(env.get("GALERA_NODE" + std::to_string(n) + "_PORT"));
    configs_[n - 1] = env.get("GALERA_NODE" + std::to_string(n) + "_CNF");
  }
}

std::string GaleraCluster::url(int node, const std::string& database) const {
  return "mysql://glance:glancepw@127.0.0.1:" + std::to_string(port(node)) + "/" + database;
}

std::string GaleraCluster::fresh_database() {
  std::string name = "glance_g" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  sql(1, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
  return name;
}

std::string GaleraCluster::sql(int node, const std::string& statement,
                               const std::string& database) const {
  return run_command("mariadb --no-defaults -h127.0.0.1 -P" + std::to_string(port(node)) +
                     " -uglance -pglancepw -N -B " + (database.empty() ? "" : database + " ") +
                     "-e " + shell_quoted(statement));
}

void GaleraCluster::kill_node(int node) {
  std::ifstream pid_file(data_dir_ + "/n" + std::to_string(node) + ".pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) throw std::runtime_error("no pid for Galera node");
  ::kill(pid, SIGKILL);
  if (!eventually([&] { return ::kill(pid, 0) != 0; }))
    throw std::runtime_error("Galera node survived SIGKILL");
}

void GaleraCluster::start_node(int node) {
  run_command("setsid mariadbd --defaults-file=" + configs_.at(node - 1) +
              " >/dev/null 2>&1 </dev/null &");
  wait_synced(node, 3);
}

void GaleraCluster::wait_synced(int node, int size) const {
  auto status = [&](const std::string& name) {
    try {
      auto row = sql(node, "SHOW STATUS LIKE '" + name + "'");
      auto tab = row.find('\t');
      return tab == std::string::npos ? std::string() : row.substr(tab + 1, row.size() - tab - 2);
    } catch (const std::exception&) {
      return std::string();
    }
  };
  bool synced = eventually(
      [&] {
        return status("wsrep_local_state_comment") == "Synced" &&
               status("wsrep_cluster_size") == std::to_string(size);
      },
      std::chrono::seconds(120));
  if (!synced) throw std::runtime_error("Galera node " + std::to_string(node) + " is not synced");
}

}  // namespace glance::testing
