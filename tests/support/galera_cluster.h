#pragma once

#include <array>
#include <string>

namespace glance::testing {

// The three-node MariaDB Galera cluster ctest starts once per run (scripts/galera-aio.sh, the
// galera_cluster fixture in tests/CMakeLists.txt), for tests declared NEEDS_GALERA. Nodes are
// numbered 1 to 3 and listen on 127.0.0.1; the glance user (password glancepw) may do
// anything. Throws std::runtime_error, failing the calling test, when the cluster is missing:
// a test that needs Galera never passes or skips without one.
class GaleraCluster {
 public:
  static GaleraCluster& instance();

  int port(int node) const { return ports_.at(node - 1); }
  // A mysql:// URL of `database` on `node`.
  std::string url(int node, const std::string& database) const;
  // Creates an empty database (replicated to every node) and returns its name.
  std::string fresh_database();
  // Runs SQL on `node` as the glance user; returns the rows, tab-separated, one per line.
  std::string sql(int node, const std::string& statement, const std::string& database = "") const;

  // SIGKILLs `node`, as a crash would.
  void kill_node(int node);
  // Starts `node` again and waits until it has rejoined and is synced (IST or SST).
  void start_node(int node);
  // Waits until `node` reports itself synced in a cluster of `size` nodes.
  void wait_synced(int node, int size) const;

 private:
  GaleraCluster();
  std::string data_dir_;
  std::array<int, 3> ports_{};
  std::array<std::string, 3> configs_;
  int databases_ = 0;
};

}  // namespace glance::testing
