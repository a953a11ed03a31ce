#pragma once

#include "tests/support/daemon.h"
#include "tests/support/haproxy.h"
#include "tests/support/http_client.h"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace glance::testing {

// A store every api of a cluster uses: the lines of their [glance_store] section, and how to
// list what the store holds (files, objects, partial uploads' data), by names that contain the
// id of the image they belong to.
struct ClusterStore {
  std::string options;
  std::function<std::vector<std::string>()> names;
  // The upload a name belongs to: the name itself, but for the parts of one upload (a Swift
  // manifest's segments).
  std::function<std::string(const std::string&)> upload_of = [](const std::string& name) {
    return name;
  };
};

// Glance as operators scale it out: `nodes` nodes, each running a glance-registry and a
// glance-api, behind one HAProxy with two frontends, "api" over the api nodes and "registry"
// over the registries. The registries share one database: by default a fresh one of the
// binary's private MariaDB, or one reached through a different server per node (the nodes of
// a Galera cluster). Every api reaches the registries through HAProxy's registry frontend
// and keeps its images in one shared store: by default a file store directory, or a
// ClusterStore the test gives. Nodes are numbered from 0; node i's daemons listen on a loopback
// address of its own (node_address), as on separate machines, so that HAProxy and the tests
// reach each by address and port.
// Daemons a test kills stay dead until it restarts them; the destructor stops whatever runs.
class ScaleOutCluster {
 public:
  // `api_extra` goes into every api's [DEFAULT] (give all nodes the same options).
  // `db_urls`: node i's registry uses db_urls[i], migrated by the first; one per node, or
  // empty for a fresh database on the private MariaDB. `store`: the file store when none.
  explicit ScaleOutCluster(size_t nodes = 2, const std::string& api_extra = "",
                           std::vector<std::string> db_urls = {},
                           std::optional<ClusterStore> store = std::nullopt);

  size_t nodes() const { return apis_.size(); }
  Haproxy& haproxy() { return haproxy_; }
  // HAProxy's frontends: what clients and the apis use.
  int api_port() const { return haproxy_.port("api"); }
  int registry_port() const { return haproxy_.port("registry"); }
  HttpClient client(HeaderList default_headers = {}) const {
    return HttpClient(api_port(), std::move(default_headers));
  }
  static std::string node_address(size_t node) { return "127.0.0." + std::to_string(node + 2); }
  Daemon& api(size_t node) { return *apis_.at(node); }
  // A client of node `node`'s api itself, bypassing HAProxy.
  HttpClient node_client(size_t node) const {
    return HttpClient(apis_.at(node)->host(), apis_.at(node)->port());
  }
  Daemon& registry(size_t node) { return *registries_.at(node); }

  // SIGKILLs the daemon, as a crash would, and waits until it is gone.
  void kill_api(size_t node);
  void kill_registry(size_t node);
  // Starts the daemon again on the port it had, which HAProxy's configuration names.
  void restart_api(size_t node);
  void restart_registry(size_t node);

  // Drains `node` as an operator would before stopping it: its api's and registry's
  // [healthcheck] disable_by_file_path files exist, so /healthcheck answers 503 and HAProxy
  // takes them out; false removes the files again.
  void set_draining(size_t node, bool draining);

  // What the store holds, partial uploads included (ClusterStore::names).
  std::vector<std::string> stored() const { return store_.names(); }
  // The uploads whose data the store holds, each once.
  std::set<std::string> stored_uploads() const;

 private:
  std::string api_config(size_t node) const;
  std::string registry_config_of(size_t node) const;
  std::string disable_file(const std::string& daemon, size_t node) const;
  // A new daemon on `port` (0: any); a port a killed process held may need a few tries.
  static std::unique_ptr<Daemon> start_on(const std::string& binary, std::string config, int port);

  std::vector<std::string> db_urls_;
  std::string datadir_;
  std::string dir_;
  std::string api_extra_;
  ClusterStore store_;
  Haproxy haproxy_;
  std::vector<std::unique_ptr<Daemon>> registries_;
  std::vector<std::unique_ptr<Daemon>> apis_;
  std::vector<int> registry_ports_;
  std::vector<int> api_ports_;
};

}  // namespace glance::testing
