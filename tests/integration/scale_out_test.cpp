// Glance scaled out as operators run it: two nodes, each with a glance-api and a
// glance-registry, behind HAProxy, on one database and one shared file store. Requests go
// through HAProxy and must land on both nodes; a node killed under load is taken out without
// failing a request started after HAProxy saw it down, its orphaned uploads end killed by the
// other node's reaper, and it serves again once restarted. Built twice: on the binary's
// private MariaDB (suite ScaleOut), and with GLANCE_SCALE_OUT_ON_GALERA on the Galera fixture,
// each node's registry writing through a Galera node of its own (suite ScaleOutGalera).

#include "tests/integration/scale_out/cluster_checks.h"
#include "tests/integration/scale_out/half_upload.h"
#include "tests/integration/scale_out/load_clients.h"
#include "tests/support/eventually.h"
#include "tests/support/galera_cluster.h"
#include "tests/support/glance_cli.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/scale_out_cluster.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;
using namespace scale_out;

#ifdef GLANCE_SCALE_OUT_ON_GALERA
#define SCALE_OUT_SUITE ScaleOutGalera
// One database on the Galera cluster; node i's registry reaches it through Galera node i + 1.
std::vector<std::string> databases() {
  auto& galera = GaleraCluster::instance();
  const std::string database = galera.fresh_database();
  return {galera.url(1, database), galera.url(2, database)};
}
#else
#define SCALE_OUT_SUITE ScaleOut
// One fresh database on the binary's private MariaDB.
std::vector<std::string> databases() {
  return {};
}
#endif

// Short, so that the tests wait little for the reaper, yet several lease renewals long.
const std::string kShortOrphanTimeout = "upload_orphan_timeout = 3\n";

TEST(SCALE_OUT_SUITE, ImageLifecycleThroughHaproxyLandsOnBothNodes) {
  ScaleOutCluster cluster(2, "", databases());
  auto c = cluster.client();
  const uint64_t before[] = {api_sessions(cluster, 0), api_sessions(cluster, 1)};

  const std::string data = random_bytes(3 * 1024 * 1024 + 17, 1);
  std::string id = create(c, "cirros", data);
  ASSERT_FALSE(id.empty());
  for (int i = 0; i < 4; ++i) {
    auto r = c.get("/v1/images/" + id);
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.body == data) << "download " << i << " differs";
  }
  // Either node serves what the other stored: one database, one store.
  for (size_t node = 0; node < 2; ++node)
    EXPECT_TRUE(cluster.node_client(node).get("/v1/images/" + id).body == data) << "node " << node;

  auto listed = c.get("/v1/images/detail?name=cirros");
  ASSERT_EQ(listed.status, 200u);
  ASSERT_EQ(json_field(listed, "images").size(), 1u) << listed.body;
  EXPECT_EQ(json_field(listed, "images")[0]["id"], id);

  auto updated =
      c.put("/v1/images/" + id, "",
            {{"x-image-meta-name", "renamed"}, {"x-image-meta-property-os_distro", "cirros"}});
  EXPECT_EQ(updated.status, 200u) << updated.body;
  for (size_t node = 0; node < 2; ++node) {
    auto head = cluster.node_client(node).head("/v1/images/" + id);
    EXPECT_EQ(head.header("x-image-meta-name"), "renamed") << "node " << node;
    EXPECT_EQ(head.header("x-image-meta-property-os_distro"), "cirros") << "node " << node;
  }

  EXPECT_EQ(c.del("/v1/images/" + id).status, 200u);
  // An admin (no auth flavor) still sees a deleted image, as deleted.
  for (size_t node = 0; node < 2; ++node)
    EXPECT_EQ(cluster.node_client(node).head("/v1/images/" + id).header("x-image-meta-status"),
              "deleted");
  EXPECT_EQ(json_field(c.get("/v1/images/detail?name=renamed"), "images").size(), 0u);
  EXPECT_TRUE(eventually([&] { return cluster.stored().empty(); }, 20s));
  EXPECT_GT(api_sessions(cluster, 0), before[0]);
  EXPECT_GT(api_sessions(cluster, 1), before[1]);

  // Node 0's api stops: HAProxy takes it out, and node 1 alone serves the whole cycle.
  ASSERT_EQ(cluster.api(0).stop(), 0);
  ASSERT_TRUE(haproxy_sees(cluster, "api", 0, "DOWN"));
  const uint64_t node0 = api_sessions(cluster, 0), node1 = api_sessions(cluster, 1);
  for (int i = 0; i < 3; ++i) {
    std::string again = create(c, "again", data);
    EXPECT_TRUE(c.get("/v1/images/" + again).body == data);
    EXPECT_EQ(c.put("/v1/images/" + again, "", {{"x-image-meta-name", "again2"}}).status, 200u);
    EXPECT_EQ(c.del("/v1/images/" + again).status, 200u);
  }
  EXPECT_EQ(api_sessions(cluster, 0), node0);
  EXPECT_GE(api_sessions(cluster, 1), node1 + 12);
}

TEST(SCALE_OUT_SUITE, GlanceClientV1ThroughHaproxy) {
  ScaleOutCluster cluster(2, "", databases());
  const std::string dir = make_temp_dir("glance-scale-out-cli");
  const std::string cli = glance_cli("http", cluster.api_port(), "--os-auth-token fake");
  const uint64_t before[] = {api_sessions(cluster, 0), api_sessions(cluster, 1)};

  const std::string file = dir + "/cirros.img";
  write_random_file(file, 2 * 1024 * 1024 + 3, 42);
  auto created = parse_cli_table(
      run_glance_cli(cli,
                     "image-create --name cirros --disk-format qcow2 --container-format bare "
                     "--is-public True --property foo=bar --file " +
                         file));
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["checksum"], md5_of_file(file));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);

  auto listed = run_glance_cli(cli, "image-list");
  EXPECT_NE(listed.find(id), std::string::npos) << listed;
  auto shown = parse_cli_table(run_glance_cli(cli, "image-show " + id));
  EXPECT_EQ(shown["Property 'foo'"], "bar");
  auto updated = parse_cli_table(
      run_glance_cli_tty(cli, "image-update --name renamed --property foo=baz " + id));
  EXPECT_EQ(updated["name"], "renamed");
  EXPECT_EQ(updated["Property 'foo'"], "baz");
  for (int i = 0; i < 2; ++i) {
    const std::string out = dir + "/out" + std::to_string(i) + ".img";
    EXPECT_EQ(run_glance_cli(cli, "image-download --file " + out + " " + id), "");
    EXPECT_EQ(md5_of_file(out), md5_of_file(file));
  }
  EXPECT_EQ(run_glance_cli(cli, "image-delete " + id), "");
  EXPECT_EQ(run_glance_cli(cli, "image-list").find(id), std::string::npos);
  EXPECT_GT(api_sessions(cluster, 0), before[0]);
  EXPECT_GT(api_sessions(cluster, 1), before[1]);
}

TEST(SCALE_OUT_SUITE, KilledApiNodeIsTakenOutItsUploadsEndKilledAndItServesAgain) {
  ScaleOutCluster cluster(2, kShortOrphanTimeout, databases());
  auto c = cluster.client();
  warm_up(cluster, 1);
  const auto api_baseline = ProcessHealth::snapshot(cluster.api(1).pid());
  const auto registry_baselines = std::vector{ProcessHealth::snapshot(cluster.registry(0).pid()),
                                              ProcessHealth::snapshot(cluster.registry(1).pid())};
  const std::string seed = random_bytes(1024 * 1024, 7);
  const std::string seed_id = create(c, "seed", seed);

  // Four uploads in flight, two on each node, all saving.
  HalfUploads uploads(cluster, 100);
  ASSERT_FALSE(HasFailure());

  LoadClients load(cluster.api_port(), seed_id, seed);
  ASSERT_TRUE(load.wait_for(0, 3, 60s));
  load.set_phase(1);
  cluster.kill_api(0);
  ASSERT_TRUE(haproxy_sees(cluster, "api", 0, "DOWN"));
  load.set_phase(2);
  const uint64_t node0_down = api_sessions(cluster, 0);

  uploads.finish();
  ASSERT_TRUE(load.wait_for(2, 6, 120s));
  load.stop();
  auto outcomes = load.outcomes();
  expect_all_succeeded(outcomes, 0, 0);
  expect_all_succeeded(outcomes, 2, 2);
  EXPECT_EQ(api_sessions(cluster, 0), node0_down) << "HAProxy sent requests to a dead node";

  // Node 1's reaper, the only one running, finds the dead node's uploads.
  uploads.expect_settled(cluster);
  expect_load_consistent(cluster, outcomes);

  cluster.restart_api(0);
  ASSERT_TRUE(haproxy_sees(cluster, "api", 0, "UP"));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(c.get("/v1/images/" + seed_id).body == seed);
  EXPECT_GT(api_sessions(cluster, 0), node0_down);

  {
    SCOPED_TRACE("api 1");
    expect_recovered(cluster.api(1), api_baseline, answers_healthcheck, api_recovery_limits());
  }
  for (size_t node = 0; node < 2; ++node) {
    SCOPED_TRACE("registry " + std::to_string(node));
    expect_recovered(cluster.registry(node), registry_baselines[node]);
  }
}

TEST(SCALE_OUT_SUITE, KilledRegistryIsTakenOutAndItServesAgain) {
  ScaleOutCluster cluster(2, kShortOrphanTimeout, databases());
  auto c = cluster.client();
  warm_up(cluster, 0);
  warm_up(cluster, 1);
  const auto api_baselines = std::vector{ProcessHealth::snapshot(cluster.api(0).pid()),
                                         ProcessHealth::snapshot(cluster.api(1).pid())};
  const auto registry_baseline = ProcessHealth::snapshot(cluster.registry(1).pid());
  const std::string seed = random_bytes(1024 * 1024, 8);
  const std::string seed_id = create(c, "seed", seed);

  LoadClients load(cluster.api_port(), seed_id, seed);
  ASSERT_TRUE(load.wait_for(0, 3, 60s));
  load.set_phase(1);
  cluster.kill_registry(0);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "DOWN"));
  load.set_phase(2);
  ASSERT_TRUE(load.wait_for(2, 6, 120s));
  const uint64_t registry0_down = cluster.haproxy().server("registry", 0).sessions;

  cluster.restart_registry(0);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "UP"));
  load.set_phase(3);
  ASSERT_TRUE(load.wait_for(3, 4, 120s));
  load.stop();
  auto outcomes = load.outcomes();
  expect_all_succeeded(outcomes, 0, 0);
  expect_all_succeeded(outcomes, 2, 3);
  EXPECT_GT(cluster.haproxy().server("registry", 0).sessions, registry0_down)
      << "the restarted registry serves no request";
  expect_load_consistent(cluster, outcomes);

  for (size_t node = 0; node < 2; ++node) {
    SCOPED_TRACE("api " + std::to_string(node));
    expect_recovered(cluster.api(node), api_baselines[node], answers_healthcheck,
                     api_recovery_limits());
  }
  SCOPED_TRACE("registry 1");
  expect_recovered(cluster.registry(1), registry_baseline);
}

// How an operator takes a node out for maintenance (docs/topology.md): drain it, wait until
// HAProxy has taken it out, stop it, start it again, undrain it. No request may fail.
TEST(SCALE_OUT_SUITE, DrainedNodeIsStoppedAndBroughtBackWithoutFailingARequest) {
  ScaleOutCluster cluster(2, kShortOrphanTimeout, databases());
  auto c = cluster.client();
  const std::string seed = random_bytes(1024 * 1024, 9);
  const std::string seed_id = create(c, "seed", seed);

  LoadClients load(cluster.api_port(), seed_id, seed);
  ASSERT_TRUE(load.wait_for(0, 3, 60s));
  ASSERT_TRUE(drain_node(cluster, 0));
  const uint64_t drained = api_sessions(cluster, 0);
  load.set_phase(1);
  ASSERT_TRUE(load.wait_for(1, 3, 60s));
  EXPECT_EQ(cluster.api(0).stop(), 0);
  EXPECT_EQ(cluster.registry(0).stop(), 0);
  load.set_phase(2);
  ASSERT_TRUE(load.wait_for(2, 3, 60s));
  EXPECT_EQ(api_sessions(cluster, 0), drained) << "HAProxy sent requests to a drained node";

  ASSERT_TRUE(bring_back_node(cluster, 0));
  load.set_phase(3);
  ASSERT_TRUE(load.wait_for(3, 4, 60s));
  load.stop();
  auto outcomes = load.outcomes();
  expect_all_succeeded(outcomes, 0, 3);
  EXPECT_GT(api_sessions(cluster, 0), drained) << "the node brought back serves no request";
  expect_load_consistent(cluster, outcomes);
}

TEST(SCALE_OUT_SUITE, UploadsRacingForOneImageThroughTwoNodesOneWinsTheOther409) {
  ScaleOutCluster cluster(2, "", databases());
  auto c = cluster.client();
  const std::string id = create(c, "contested", "");
  ASSERT_FALSE(id.empty());
  const std::string bytes[] = {random_bytes(2 * 1024 * 1024, 1), random_bytes(2 * 1024 * 1024, 2)};
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (size_t node = 0; node < 2; ++node) {
    conns.push_back(
        std::make_unique<RawConnection>(cluster.api(node).host(), cluster.api(node).port()));
    ASSERT_TRUE(conns.back()->send(
        "PUT /v1/images/" + id +
        " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
        std::to_string(bytes[node].size()) + "\r\n\r\n" + bytes[node].substr(0, 1024 * 1024)));
  }
  // Both nodes write a partial file of their own before either finishes.
  ASSERT_TRUE(eventually([&] { return data_of(cluster, id) == 2; }, 30s));
  std::string answers[2];
  for (size_t node = 0; node < 2; ++node)
    ASSERT_TRUE(conns[node]->send(bytes[node].substr(1024 * 1024)));
  for (size_t node = 0; node < 2; ++node) answers[node] = conns[node]->read(12, 60s);
  ASSERT_EQ((std::set<std::string>{answers[0], answers[1]}),
            (std::set<std::string>{"HTTP/1.1 200", "HTTP/1.1 409"}));
  const size_t winner = answers[0] == "HTTP/1.1 200" ? 0 : 1;
  EXPECT_EQ(status_of(cluster, id), "active");
  EXPECT_TRUE(c.get("/v1/images/" + id).body == bytes[winner]);
  EXPECT_TRUE(eventually([&] { return data_of(cluster, id) == 1; }, 20s))
      << "the loser's data stays";
}

}  // namespace
}  // namespace glance::testing
