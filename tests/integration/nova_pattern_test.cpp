// Nova's calls to the Images API v2, in the order nova/image/glance.py makes them through
// glanceclient v2, with a user's token and Nova's service token beside it, against glance-api
// with flavor keystone and a real Keystone:
// - booting reads the image (GET /v2/images/{id}), then streams its data (GET .../file) and
//   checks it against the image's checksum and os_hash_algo/os_hash_value;
// - a snapshot creates the record with Nova's properties (POST /v2/images, queued), sets the
//   formats and its state by JSON patch (PATCH), uploads the data (PUT .../file), polls until
//   active, and is then booted from like any image;
// - a compute node that dies mid-upload leaves the image killed, and Nova's clean-up delete
//   removes it with nothing left in the store.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <string>

namespace glance::testing {
namespace {

using nlohmann::json;

class NovaCallPattern : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnvironment>(
        true, "", "", "[paste_deploy]\nflavor = keystone\n" + keystone_authtoken_section());
    alice_ = keystone_token("alice", "alpha");
    nova_ = keystone_token("nova", "service");
  }

  // What Nova sends with every call: the user's token, its own service token, its request id.
  HttpClient nova() const {
    return env_->client({{"X-Auth-Token", alice_},
                         {"X-Service-Token", nova_},
                         {"X-OpenStack-Request-ID", "req-3f1c2a60-98b4-4be3-9a4b-1d0c7a3e5f10"},
                         {"User-Agent", "python-glanceclient"}});
  }
  HttpClient user() const { return env_->client({{"X-Auth-Token", alice_}}); }

  // The image's data checked as Nova checks it: size, MD5 checksum, and the multihash.
  void expect_boots(const std::string& id, const std::string& data) const {
    auto shown = nova().get("/v2/images/" + id);
    ASSERT_EQ(shown.status, 200u) << shown.body;
    auto image = shown.json();
    EXPECT_EQ(image["status"], "active");
    EXPECT_EQ(image["size"], data.size());
    auto file = nova().get("/v2/images/" + id + "/file");
    ASSERT_EQ(file.status, 200u) << file.body.substr(0, 300);
    ASSERT_EQ(file.body.size(), data.size());
    EXPECT_TRUE(file.body == data);
    const std::string dir = make_temp_dir("glance-nova");
    std::ofstream(dir + "/data", std::ios::binary) << file.body;
    EXPECT_EQ(image["checksum"], run_command("md5sum " + dir + "/data").substr(0, 32));
    const std::string algo = image.value("os_hash_algo", "");
    ASSERT_TRUE(algo == "sha256" || algo == "sha512") << algo;
    const std::string digest = run_command(algo + "sum " + dir + "/data");
    EXPECT_EQ(image["os_hash_value"], digest.substr(0, digest.find(' ')));
  }

  std::unique_ptr<ApiEnvironment> env_;
  std::string alice_;
  std::string nova_;
};

std::string random_data(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  return data;
}

const HeaderList kOctets = {{"Content-Type", "application/octet-stream"}};
const HeaderList kJson = {{"Content-Type", "application/json"}};
const HeaderList kPatch = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};

TEST_F(NovaCallPattern, BootReadsTheImageThenItsDataAndChecksTheHashes) {
  auto created = user().post("/v2/images",
                             json{{"name", "cirros"},
                                  {"disk_format", "qcow2"},
                                  {"container_format", "bare"},
                                  {"min_disk", 1},
                                  {"hw_disk_bus", "virtio"}}
                                 .dump(),
                             kJson);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["id"];
  const std::string data = random_data(2 * 1024 * 1024 + 7, 1);
  ASSERT_EQ(user().put("/v2/images/" + id + "/file", data, kOctets).status, 204u);

  expect_boots(id, data);
  // Nova reads the image's properties for the guest (hw_*), and its minimums.
  auto image = nova().get("/v2/images/" + id).json();
  EXPECT_EQ(image["hw_disk_bus"], "virtio");
  EXPECT_EQ(image["min_disk"], 1);
  // Nova reads whole images; a ranged read still answers exactly the range.
  auto part = nova().get("/v2/images/" + id + "/file", {{"Range", "bytes=100-199"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_TRUE(part.body == data.substr(100, 100));
}

TEST_F(NovaCallPattern, SnapshotCreatesPatchesUploadsAndBootsFromIt) {
  const std::string instance = "6a4f1e7c-2b1d-4c55-8f7e-0d9b3c2a1e44";
  auto created = nova().post("/v2/images",
                             json{{"name", "snap-of-vm1"},
                                  {"min_disk", 1},
                                  {"min_ram", 512},
                                  {"instance_uuid", instance},
                                  {"image_type", "snapshot"},
                                  {"user_id", keystone_server().alice_user_id},
                                  {"owner_project_name", "alpha"},
                                  {"owner_user_name", "alice"},
                                  {"boot_roles", "member,reader"}}
                                 .dump(),
                             kJson);
  ASSERT_EQ(created.status, 201u) << created.body;
  auto record = created.json();
  const std::string id = record["id"];
  EXPECT_EQ(record["status"], "queued");
  EXPECT_EQ(record["owner"], keystone_server().alpha_project_id);  // the user's, not Nova's

  // The driver's update: formats and state by JSON patch (glanceclient diffs the image it
  // read against the one Nova wants: the formats were null, so "replace").
  auto patched = nova().request(
      "PATCH", "/v2/images/" + id, kPatch,
      json::array(
          {{{"op", "replace"}, {"path", "/disk_format"}, {"value", "qcow2"}},
           {{"op", "replace"}, {"path", "/container_format"}, {"value", "bare"}},
           {{"op", "add"}, {"path", "/image_location"}, {"value", "snapshot"}},
           {{"op", "add"}, {"path", "/image_state"}, {"value", "available"}},
           {{"op", "add"}, {"path", "/owner_id"}, {"value", keystone_server().alpha_project_id}}})
          .dump());
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(patched.json()["disk_format"], "qcow2");
  EXPECT_EQ(patched.json()["image_state"], "available");

  const std::string data = random_data(3 * 1024 * 1024 + 1, 2);
  ASSERT_EQ(nova().put("/v2/images/" + id + "/file", data, kOctets).status, 204u);
  EXPECT_TRUE(
      eventually([&] { return nova().get("/v2/images/" + id).json()["status"] == "active"; }));
  expect_boots(id, data);
  auto snap = user().get("/v2/images/" + id).json();
  EXPECT_EQ(snap["instance_uuid"], instance);
  EXPECT_EQ(snap["image_type"], "snapshot");
  EXPECT_EQ(snap["visibility"], "shared");  // v2's default; private to the project until shared
  // The snapshot is the user's image: another project cannot boot it.
  auto bob = env_->client({{"X-Auth-Token", keystone_token("bob", "beta")}});
  EXPECT_EQ(bob.get("/v2/images/" + id).status, 404u);
  EXPECT_EQ(bob.get("/v2/images/" + id + "/file").status, 404u);
}

TEST_F(NovaCallPattern, ComputeDyingMidSnapshotUploadLeavesNothingAfterNovasDelete) {
  auto created = nova().post(
      "/v2/images",
      json{{"name", "doomed"}, {"disk_format", "raw"}, {"container_format", "bare"}}.dump(), kJson);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["id"];
  auto baseline = ProcessHealth::snapshot(env_->api().pid());
  const size_t files = env_->stored_files();
  std::string head =
      "PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + alice_ +
      "\r\nX-Service-Token: " + nova_ +
      "\r\nContent-Type: application/octet-stream\r\nContent-Length: 8000000\r\n\r\n";
  env_->client().raw_then_close(head + std::string(300000, 's'));
  EXPECT_TRUE(eventually([&] {
    return nova().get("/v2/images/" + id).json()["status"] == "killed";
  })) << nova().get("/v2/images/" + id).body;
  EXPECT_EQ(env_->stored_files(), files);
  // Nova's clean-up of a failed snapshot.
  EXPECT_EQ(nova().del("/v2/images/" + id).status, 204u);
  EXPECT_EQ(nova().get("/v2/images/" + id).status, 404u);
  EXPECT_EQ(env_->stored_files(), files);
  expect_recovered(env_->api(), baseline);
}

}  // namespace
}  // namespace glance::testing
