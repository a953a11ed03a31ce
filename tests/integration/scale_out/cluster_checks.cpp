#include "tests/integration/scale_out/cluster_checks.h"

#include "tests/support/eventually.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

namespace glance::testing::scale_out {

using namespace std::chrono_literals;

namespace {

const HeaderList kPublicRaw = {{"x-image-meta-disk_format", "raw"},
                               {"x-image-meta-container_format", "bare"},
                               {"x-image-meta-is_public", "True"},
                               {"Content-Type", "application/octet-stream"}};

}  // namespace

std::string create(const HttpClient& client, const std::string& name, const std::string& data) {
  auto r = client.post("/v1/images", data, with(kPublicRaw, {{"x-image-meta-name", name}}));
  EXPECT_EQ(r.status, 201u) << r.body;
  if (r.status != 201) return "";
  EXPECT_EQ(r.json()["image"]["status"], data.empty() ? "queued" : "active") << r.body;
  return r.json()["image"]["id"].get<std::string>();
}

uint64_t api_sessions(ScaleOutCluster& cluster, size_t node) {
  return cluster.haproxy().server("api", node).sessions;
}

std::string status_of(const ScaleOutCluster& cluster, const std::string& id) {
  try {
    auto r = HttpClient(cluster.registry_port()).get("/images/" + id);
    return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
  } catch (const std::exception&) {
    return "?";
  }
}

size_t data_of(const ScaleOutCluster& cluster, const std::string& id) {
  size_t n = 0;
  for (const auto& upload : cluster.stored_uploads()) n += upload.find(id) != std::string::npos;
  return n;
}

std::map<std::string, std::string> all_images(const ScaleOutCluster& cluster) {
  auto r = HttpClient(cluster.registry_port()).get("/images/detail?is_public=None&limit=1000");
  EXPECT_EQ(r.status, 200u) << r.body;
  std::map<std::string, std::string> out;
  if (r.status == 200)
    for (const auto& image : json_field(r, "images"))
      out[image["id"].get<std::string>()] = image["status"].get<std::string>();
  return out;
}

void warm_up(ScaleOutCluster& cluster, size_t node) {
  HttpClient direct = cluster.node_client(node);
  std::string data = random_bytes(100000, static_cast<unsigned>(node));
  std::string id = create(direct, "warm-up", data);
  EXPECT_EQ(direct.get("/v1/images/" + id).body, data);
  EXPECT_EQ(direct.get("/v1/images/detail").status, 200u);
  EXPECT_EQ(direct.del("/v1/images/" + id).status, 200u);
}

RecoveryLimits api_recovery_limits() {
  RecoveryLimits limits;
  limits.extra_fds = 6;
  return limits;
}

std::string failures(const std::vector<Outcome>& outcomes) {
  std::string out;
  for (const auto& o : outcomes)
    if (!o.ok)
      out += std::string(o.upload ? "upload " : "download ") + o.id + " in phase " +
             std::to_string(o.phase) + ": " + o.what + "\n";
  return out;
}

void expect_load_consistent(ScaleOutCluster& cluster, const std::vector<Outcome>& outcomes) {
  auto c = cluster.client();
  for (const auto& o : outcomes) {
    if (!o.upload || !o.ok) continue;
    auto r = c.get("/v1/images/" + o.id);
    EXPECT_EQ(r.status, 200u) << o.id;
    EXPECT_TRUE(r.body == random_bytes(upload_size(o.seed), o.seed))
        << "image " << o.id << " was told active but lacks its data";
  }
  // A request cut between the registry's create and the upload leaves a queued image without
  // data, as upstream's do; an upload cut later ends killed, by the api or by the reaper.
  size_t failed_uploads = 0;
  for (const auto& o : outcomes) failed_uploads += o.upload && !o.ok;
  std::string saving;
  size_t queued = 0;
  EXPECT_TRUE(eventually(
      [&] {
        saving.clear();
        queued = 0;
        for (const auto& [id, status] : all_images(cluster)) {
          if (status == "saving") saving += id + "\n";
          queued += status == "queued";
        }
        return saving.empty();
      },
      60s))
      << "uploads cut by the kill stay saving:\n"
      << saving << failures(outcomes);
  EXPECT_LE(queued, failed_uploads) << failures(outcomes);
  for (const auto& image : all_images(cluster)) {
    const std::string& id = image.first;
    if (image.second == "active") EXPECT_EQ(data_of(cluster, id), 1u) << id;
    if (image.second == "queued") EXPECT_EQ(data_of(cluster, id), 0u) << id;
    if (image.second == "killed")
      EXPECT_TRUE(eventually([&] { return data_of(cluster, id) == 0; }, 20s))
          << "killed image " << id << " left data behind";
  }
}

bool haproxy_sees(ScaleOutCluster& cluster, const char* backend, size_t node, const char* status) {
  if (cluster.haproxy().wait_for_status(backend, node, status)) return true;
  ADD_FAILURE() << backend << " " << node << " is not " << status << "\n"
                << cluster.haproxy().log();
  return false;
}

namespace {

// Waits until HAProxy sees `node`'s api and registry in `status`; false after a test failure.
bool node_becomes(ScaleOutCluster& cluster, size_t node, const char* status) {
  return haproxy_sees(cluster, "api", node, status) &&
         haproxy_sees(cluster, "registry", node, status);
}

}  // namespace

bool drain_node(ScaleOutCluster& cluster, size_t node) {
  cluster.set_draining(node, true);
  return node_becomes(cluster, node, "DOWN");
}

bool bring_back_node(ScaleOutCluster& cluster, size_t node) {
  cluster.restart_registry(node);
  cluster.restart_api(node);
  cluster.set_draining(node, false);
  return node_becomes(cluster, node, "UP");
}

void expect_all_succeeded(const std::vector<Outcome>& outcomes, int first, int last) {
  size_t n = 0;
  for (const auto& o : outcomes) {
    if (o.phase < first || o.end_phase > last) continue;
    ++n;
    EXPECT_TRUE(o.ok) << (o.upload ? "upload" : "download") << " in phases " << o.phase << "-"
                      << o.end_phase << ": " << o.what;
  }
  EXPECT_GT(n, 0u);
}

}  // namespace glance::testing::scale_out
