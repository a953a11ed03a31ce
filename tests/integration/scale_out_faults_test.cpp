// Glance scaled out on every tier at once, as an operator runs it: two nodes (a glance-api and
// a glance-registry each) behind HAProxy, the registries on different nodes of the three-node
// Galera cluster, the images in Swift. While clients keep uploading and downloading through
// HAProxy, one fault after another: an api SIGKILLed with uploads in flight, a registry
// SIGKILLed, the Galera node under the other registry SIGKILLed and started again (it rejoins
// by state transfer), a node drained, stopped, started and put back. After each, HAProxy takes
// the failed part out and every request started after that succeeds. At the end: every image
// a client was told is active downloads byte-exact, the cut uploads ended killed with nothing
// in Swift, no object lacks an active image, and the three Galera nodes hold the same rows.

#include "tests/integration/scale_out/cluster_checks.h"
#include "tests/integration/scale_out/half_upload.h"
#include "tests/integration/scale_out/load_clients.h"
#include "tests/integration/scale_out/swift_store.h"
#include "tests/support/eventually.h"
#include "tests/support/galera_cluster.h"
#include "tests/support/scale_out_cluster.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;
using namespace scale_out;

// The Galera node under node 1's registry, the one this test kills (the registry_galera tests
// disturb it too: the binary holds their lock).
constexpr int kKilledGaleraNode = 3;

// Every registry table holds the same rows on each Galera node. Each node is read after it
// has applied what the others committed (wsrep_sync_wait covers SELECT; CHECKSUM TABLE, which
// it does not cover, saw nodes still applying); the nodes are read one after the other, so a
// write between two reads (a reaper's) is waited out.
void expect_galera_nodes_agree(const std::string& database) {
  auto& galera = GaleraCluster::instance();
  for (const char* table :
       {"images", "image_properties", "image_locations", "image_members", "image_tags"}) {
    std::vector<std::string> rows;
    const bool agree = eventually(
        [&] {
          rows.clear();
          for (int node : {1, 2, 3})
            rows.push_back(
                galera.sql(node,
                           std::string("SET SESSION wsrep_sync_wait = 1; SELECT * FROM ") + table +
                               " ORDER BY 1",
                           database));
          return rows[1] == rows[0] && rows[2] == rows[0];
        },
        30s);
    EXPECT_TRUE(agree) << table << " differs between the Galera nodes:\n--- node 1\n"
                       << rows[0] << "--- node 2\n"
                       << rows[1] << "--- node 3\n"
                       << rows[2];
    EXPECT_NE(rows[0], "") << table << " is empty";
  }
}

// Everything in the store belongs to an active image (an object's name starts with its id).
void expect_no_data_without_an_active_image(const ScaleOutCluster& cluster) {
  const auto images = all_images(cluster);
  for (const auto& name : cluster.stored()) {
    auto image = images.find(name.substr(0, 36));
    EXPECT_TRUE(image != images.end() && image->second == "active")
        << "object " << name << " lacks an active image";
  }
}

TEST(ScaleOutFaults, ClientsKeepWorkingThroughKilledApiRegistryAndGaleraNodesAndADrain) {
  auto& galera = GaleraCluster::instance();
  const std::string database = galera.fresh_database();
  ScaleOutCluster cluster(2, "upload_orphan_timeout = 3\n",
                          {galera.url(1, database), galera.url(kKilledGaleraNode, database)},
                          swift_store("glance-scale-out-" + std::to_string(::getpid())));
  auto c = cluster.client();
  const std::string seed = random_bytes(1024 * 1024, 31);
  const std::string seed_id = create(c, "seed", seed);
  ASSERT_FALSE(seed_id.empty());

  // Uploads in flight through HAProxy, two on each api node.
  HalfUploads uploads(cluster, 300);
  ASSERT_FALSE(::testing::Test::HasFailure());

  LoadClients load(cluster.api_port(), seed_id, seed);
  ASSERT_TRUE(load.wait_for(0, 3, 60s));

  // An api node dies with two of the uploads.
  load.set_phase(1);
  cluster.kill_api(0);
  ASSERT_TRUE(haproxy_sees(cluster, "api", 0, "DOWN"));
  load.set_phase(2);
  uploads.finish();
  ASSERT_TRUE(load.wait_for(2, 3, 120s));
  cluster.restart_api(0);
  ASSERT_TRUE(haproxy_sees(cluster, "api", 0, "UP"));

  // A registry dies; the other serves both apis until it is back.
  load.set_phase(3);
  cluster.kill_registry(0);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "DOWN"));
  load.set_phase(4);
  ASSERT_TRUE(load.wait_for(4, 3, 120s));
  cluster.restart_registry(0);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "UP"));

  // The other registry's Galera node dies: its /healthcheck fails, HAProxy takes it out.
  // Until the two nodes left evict it (evs.suspect_timeout, 5 s) they commit nothing, so the
  // first registry's health check goes unanswered too and HAProxy has no registry for a few
  // seconds: requests fail until the cluster has re-formed and the registry is back in.
  load.set_phase(5);
  galera.kill_node(kKilledGaleraNode);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 1, "DOWN"));
  galera.wait_synced(1, 2);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "UP"));
  load.set_phase(6);
  ASSERT_TRUE(load.wait_for(6, 3, 120s));
  // Rows in every table while the node is away: it must have them once it has rejoined.
  for (int i = 0; i < 3; ++i) {
    const std::string tag = std::to_string(i);
    auto made = c.post("/v1/images", "",
                       {{"x-image-meta-name", "while-away-" + tag},
                        {"x-image-meta-property-rejoin", tag},
                        {"x-image-meta-disk_format", "raw"},
                        {"x-image-meta-container_format", "bare"}});
    ASSERT_EQ(made.status, 201u) << made.body;
    const std::string id = made.json()["image"]["id"];
    auto member = c.put("/v1/images/" + id + "/members/tenant-" + tag, "");
    EXPECT_EQ(member.status, 204u) << member.body;
    auto tagged = c.put("/v2/images/" + id + "/tags/away-" + tag, "");
    EXPECT_EQ(tagged.status, 204u) << tagged.body;
  }
  // The node starts again and rejoins by state transfer. Its donor is desynced meanwhile (a
  // second or two for this rsync), and may be the first registry's node.
  load.set_phase(7);
  galera.start_node(kKilledGaleraNode);
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 1, "UP"));
  ASSERT_TRUE(haproxy_sees(cluster, "registry", 0, "UP"));
  load.set_phase(8);

  // Node 1 drained, stopped, started and undrained: nothing may fail from here on.
  ASSERT_TRUE(drain_node(cluster, 1));
  EXPECT_EQ(cluster.api(1).stop(), 0);
  EXPECT_EQ(cluster.registry(1).stop(), 0);
  ASSERT_TRUE(bring_back_node(cluster, 1));
  load.set_phase(9);
  ASSERT_TRUE(load.wait_for(9, 3, 60s));
  load.stop();

  // Only requests in flight at a fault (phases 1, 3, 5 and 7) may have failed.
  auto outcomes = load.outcomes();
  std::map<int, size_t> failed;
  for (const auto& o : outcomes) failed[o.phase] += !o.ok;
  for (const auto& [phase, n] : failed)
    if (n > 0) std::cout << n << " requests started in phase " << phase << " failed\n";
  expect_all_succeeded(outcomes, 0, 0);
  expect_all_succeeded(outcomes, 2, 2);
  expect_all_succeeded(outcomes, 4, 4);
  expect_all_succeeded(outcomes, 6, 6);
  expect_all_succeeded(outcomes, 8, 9);
  uploads.expect_settled(cluster);
  EXPECT_TRUE(c.get("/v1/images/" + seed_id).body == seed);
  expect_load_consistent(cluster, outcomes);
  expect_no_data_without_an_active_image(cluster);
  galera.wait_synced(kKilledGaleraNode, 3);
  expect_galera_nodes_agree(database);
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- HAProxy\n" << cluster.haproxy().log() << "\n";
    for (size_t node = 0; node < 2; ++node)
      std::cerr << "--- api " << node << "\n"
                << cluster.api(node).log() << "\n--- registry " << node << "\n"
                << cluster.registry(node).log() << "\n";
  }
}

}  // namespace
}  // namespace glance::testing
