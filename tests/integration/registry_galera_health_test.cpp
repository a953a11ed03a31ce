// GET /healthcheck of registries on the nodes of the Galera fixture, behind HAProxy as
// docs/topology.md runs them: a registry whose node is desynced, or cut off from the primary
// component, answers 503 and HAProxy takes it out while the others stay in; it comes back once
// its node is synced again. Node 3 is the one disturbed, always restored before the test ends.

#include "tests/support/daemon.h"
#include "tests/support/eventually.h"
#include "tests/support/galera_cluster.h"
#include "tests/support/haproxy.h"
#include "tests/support/http_client.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;

const char* const kTrustedAuth = "[paste_deploy]\nflavor = trusted-auth\n";

// Undoes a disturbance of a node when the test ends, failed or not.
class Restore {
 public:
  explicit Restore(std::function<void()> undo) : undo_(std::move(undo)) {}
  ~Restore() { run(); }
  void run() {
    if (!undo_) return;
    auto undo = std::move(undo_);
    undo_ = nullptr;
    undo();
  }

 private:
  std::function<void()> undo_;
};

// One database on the cluster, a registry on each of its three nodes, HAProxy in front.
class RegistryGaleraHealth : public ::testing::Test {
 protected:
  void start(const std::string& extra = "") {
    auto& cluster = GaleraCluster::instance();
    database_ = cluster.fresh_database();
    frontend_ = haproxy_.add_frontend("registry");
    std::vector<HaproxyServer> servers;
    for (int node : {1, 2, 3}) {
      auto d = std::make_unique<Daemon>(
          registry_binary(),
          registry_config(cluster.url(node, database_), std::string(kTrustedAuth) + extra));
      if (node == 1) {
        auto [code, out] =
            Daemon::run(manage_binary(), "--config-file " + d->config_path() + " db_sync");
        ASSERT_EQ(code, 0) << out;
      }
      d->start();
      servers.push_back({d->host(), d->port()});
      registries_.push_back(std::move(d));
    }
    haproxy_.set_servers("registry", servers);
    haproxy_.start();
    for (size_t i = 0; i < 3; ++i)
      ASSERT_TRUE(haproxy_.wait_for_status("registry", i, "UP")) << haproxy_.log();
  }

  HttpResponse health(size_t i) const {
    return HttpClient(registries_.at(i)->port()).get("/healthcheck");
  }
  // Waits until registry i answers `status` to /healthcheck.
  bool health_becomes(size_t i, unsigned status) const {
    return eventually([&] { return health(i).status == status; }, 30s);
  }
  // Registries 0 and 1 (nodes 1 and 2) answer 200 and are UP in HAProxy, and requests through
  // HAProxy succeed.
  void expect_others_serve() {
    for (size_t i : {0u, 1u}) {
      EXPECT_EQ(health(i).status, 200u) << health(i).body;
      EXPECT_EQ(haproxy_.server("registry", i).status, "UP");
    }
    const HeaderList owner = identity("health-owner");
    for (int i = 0; i < 6; ++i) {
      auto r = HttpClient(frontend_).get("/images", owner);
      EXPECT_EQ(r.status, 200u) << r.body;
    }
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto& d : registries_) std::cerr << "--- registry log\n" << d->log() << "\n";
      std::cerr << "--- haproxy log\n" << haproxy_.log() << "\n";
    }
  }

  std::string database_;
  Haproxy haproxy_;
  int frontend_ = 0;
  std::vector<std::unique_ptr<Daemon>> registries_;
};

TEST_F(RegistryGaleraHealth, ADesyncedNodesRegistryIsTakenOutAndComesBackOnceSynced) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto& cluster = GaleraCluster::instance();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(health(i).body, "OK");
  cluster.sql(3, "SET GLOBAL wsrep_desync = ON");
  Restore undo([&] {
    cluster.sql(3, "SET GLOBAL wsrep_desync = OFF");
    cluster.wait_synced(3, 3);
  });
  ASSERT_TRUE(health_becomes(2, 503u)) << health(2).body;
  EXPECT_EQ(health(2).body, "the Galera node is not synced (wsrep_local_state 2, Donor/Desynced)");
  EXPECT_EQ(HttpClient(registries_[2]->port()).head("/healthcheck").status, 503u);
  auto detailed = HttpClient(registries_[2]->port()).get("/healthcheck/detailed");
  EXPECT_EQ(detailed.status, 503u);
  EXPECT_NE(detailed.body.find("Donor/Desynced"), std::string::npos) << detailed.body;
  ASSERT_TRUE(haproxy_.wait_for_status("registry", 2, "DOWN")) << haproxy_.log();
  expect_others_serve();
  undo.run();
  ASSERT_TRUE(health_becomes(2, 200u)) << health(2).body;
  EXPECT_TRUE(haproxy_.wait_for_status("registry", 2, "UP")) << haproxy_.log();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(health(i).status, 200u);
}

TEST_F(RegistryGaleraHealth, ANodeCutOffFromThePrimaryComponentIsTakenOutAndComesBack) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto& cluster = GaleraCluster::instance();
  cluster.sql(3, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'");
  Restore undo([&] {
    cluster.sql(3, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'");
    cluster.wait_synced(3, 3);
  });
  ASSERT_TRUE(health_becomes(2, 503u)) << health(2).body;
  EXPECT_NE(health(2).body.find("not ready (wsrep_ready OFF"), std::string::npos) << health(2).body;
  ASSERT_TRUE(haproxy_.wait_for_status("registry", 2, "DOWN")) << haproxy_.log();
  // The two others still form the primary component.
  cluster.wait_synced(1, 2);
  expect_others_serve();
  undo.run();
  ASSERT_TRUE(health_becomes(2, 200u)) << health(2).body;
  EXPECT_TRUE(haproxy_.wait_for_status("registry", 2, "UP")) << haproxy_.log();
  // Its registry serves again, through the node it had lost.
  auto r = HttpClient(registries_[2]->port()).get("/images", identity("health-owner"));
  EXPECT_EQ(r.status, 200u) << r.body;
}

// check_database_node = false: upstream's /healthcheck, which knows nothing of the database.
TEST_F(RegistryGaleraHealth, WithTheCheckOffADesyncedNodesRegistryStaysIn) {
  ASSERT_NO_FATAL_FAILURE(start("[healthcheck]\ncheck_database_node = false\n"));
  auto& cluster = GaleraCluster::instance();
  cluster.sql(3, "SET GLOBAL wsrep_desync = ON");
  Restore undo([&] {
    cluster.sql(3, "SET GLOBAL wsrep_desync = OFF");
    cluster.wait_synced(3, 3);
  });
  ASSERT_EQ(cluster.sql(3, "SHOW STATUS LIKE 'wsrep_local_state'"), "wsrep_local_state\t2\n");
  // Longer than the check's answer is kept, and than HAProxy's two failed checks.
  EXPECT_FALSE(eventually([&] { return health(2).status != 200u; }, 3s));
  EXPECT_EQ(health(2).body, "OK");
  EXPECT_EQ(haproxy_.server("registry", 2).status, "UP");
}

}  // namespace
}  // namespace glance::testing
