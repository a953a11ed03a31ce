// glance-scrubber deleting image data from Swift and from S3 (Swift's s3api) in the real
// all-in-one the test harness starts: a delayed delete keeps the objects, a pass removes them
// (segments and all) and marks the image deleted, and a store the scrubber cannot reach leaves
// the image pending_delete for a later pass. The same for the objects of a location removed
// from a live image through v2.

#include "tests/support/api_fixture.h"
#include "tests/support/scrubber_runner.h"
#include "tests/support/source_server.h"
#include "tests/support/swift_cluster.h"
#include "tests/support/switchable_relay.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace glance::testing {
namespace {

// Per process: ctest runs tests in parallel processes against one cluster.
std::string container() {
  return "glance-scrubber-test-" + std::to_string(::getpid());
}
std::string bucket() {
  return "glance-scrubber-test-s3-" + std::to_string(::getpid());
}

// `url` with the cluster proxy's port replaced by `port`.
std::string via(const std::string& url, int port) {
  std::string from = ":" + std::to_string(swift_cluster().proxy_port);
  auto at = url.find(from);
  if (at == std::string::npos) throw std::runtime_error("no proxy port in " + url);
  return url.substr(0, at) + ":" + std::to_string(port) + url.substr(at + from.size());
}

// Both stores reach the cluster through `relay_port`: Swift for its authentication (the
// object requests go where tempauth's storage URL says), S3 for every request. The
// locations name the relay, so the scrubber goes through it too.
std::string store_options(int relay_port) {
  const auto& c = swift_cluster();
  std::string o = "stores = file, swift, s3, http\n";
  o += "swift_store_auth_address = " + via(c.auth_url, relay_port) + "\n";
  o += "swift_store_auth_version = 1\n";
  o += "swift_store_user = " + c.user + "\n";
  o += "swift_store_key = " + c.key + "\n";
  o += "swift_store_container = " + container() + "\n";
  o += "swift_store_create_container_on_put = True\n";
  // Small thresholds, so that a few MiB take the segmented and multipart paths.
  o += "swift_store_large_object_size = 2\nswift_store_large_object_chunk_size = 1\n";
  o += "s3_store_host = " + via(c.s3_endpoint, relay_port) + "\n";
  o += "s3_store_access_key = " + c.s3_access_key + "\n";
  o += "s3_store_secret_key = " + c.s3_secret_key + "\n";
  o += "s3_store_bucket = " + bucket() + "\n";
  o += "s3_store_create_bucket_on_put = True\ns3_store_bucket_url_format = path\n";
  o += "s3_store_large_object_size = 6\ns3_store_large_object_chunk_size = 5\n";
  return o;
}

class ScrubberRemoteStores : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    guarded_suite_setup(
        [] {
          relay_ = new SwitchableRelay(swift_cluster().proxy_port);
          source_ = new SourceServer();
          env_ =
              new ApiEnvironment(false, "delayed_delete = True\nshow_multiple_locations = True\n",
                                 store_options(relay_->port()));
        },
        &setup_error_);
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    delete relay_;
    relay_ = nullptr;
    delete source_;
    source_ = nullptr;
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  // Objects of the store's container and its segments container, by the Swift API.
  size_t objects() const {
    const std::string base = GetParam() == "swift" ? container() : bucket();
    size_t n = 0;
    for (const std::string& c : {base, base + "+segments"}) n += swift_object_names(c).size();
    return n;
  }
  std::string upload(const std::string& data) {
    auto r = client_.post("/v1/images", data,
                          {{"x-image-meta-name", "remote"},
                           {"x-image-meta-disk_format", "raw"},
                           {"x-image-meta-container_format", "bare"},
                           {"x-image-meta-store", GetParam()},
                           {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : std::string();
  }
  std::string status_of(const std::string& id) {
    return client_.head("/v1/images/" + id).header("x-image-meta-status").value_or("(none)");
  }
  ScrubberRun scrub(const std::string& conf = "[DEFAULT]\n") {
    return run_scrubber(env_->api().config_path(), conf);
  }

  static inline SwitchableRelay* relay_ = nullptr;
  static inline SourceServer* source_ = nullptr;
  static inline ApiEnvironment* env_ = nullptr;
  static inline std::string setup_error_;
  HttpClient client_ = env_ ? env_->client() : HttpClient(0);
};

TEST_P(ScrubberRemoteStores, DelayedDeleteKeepsTheObjectsUntilAPassRemovesThem) {
  size_t before = objects();
  // Large enough for Swift segments and S3 multipart parts, and one small object.
  std::vector<std::string> ids = {upload(random_bytes(7 << 20, 3)), upload("small")};
  size_t stored = objects();
  ASSERT_GT(stored, before + 1);
  for (const auto& id : ids) ASSERT_EQ(client_.del("/v1/images/" + id).status, 200u);
  EXPECT_EQ(objects(), stored);
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  for (const auto& id : ids) EXPECT_EQ(status_of(id), "deleted") << run.output;
  EXPECT_EQ(objects(), before) << run.output;
}

TEST_P(ScrubberRemoteStores, AnUnreachableStoreLeavesTheImageForALaterPass) {
  auto data = random_bytes(3 << 20, 5);
  size_t before = objects();
  std::string id = upload(data);
  size_t stored = objects();
  ASSERT_EQ(client_.del("/v1/images/" + id).status, 200u);
  // The store is unreachable for the scrubber (a fresh process: Swift must authenticate).
  relay_->set_open(false);
  auto refused = scrub();
  relay_->set_open(true);
  EXPECT_EQ(refused.status, 0) << refused.output;
  EXPECT_EQ(status_of(id), "pending_delete") << refused.output;
  EXPECT_EQ(objects(), stored) << refused.output;
  EXPECT_NE(refused.output.find("left for the next pass"), std::string::npos) << refused.output;
  auto later = scrub();
  ASSERT_EQ(later.status, 0) << later.output;
  EXPECT_EQ(status_of(id), "deleted") << later.output;
  EXPECT_EQ(objects(), before) << later.output;
}

TEST_P(ScrubberRemoteStores, ARemovedLocationsObjectsGoOnceTheStoreAnswers) {
  const HeaderList patch = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
  auto data = random_bytes(3 << 20, 9);
  size_t before = objects();
  std::string id = upload(data);
  size_t stored = objects();
  ASSERT_GT(stored, before);
  // A copy of the bytes at an http location, then the upload's location removed.
  const std::string copy = "/copy-" + GetParam();
  source_->put(copy, data);
  nlohmann::json add = nlohmann::json::array(
      {{{"op", "add"},
        {"path", "/locations/-"},
        {"value", {{"url", source_->url(copy)}, {"metadata", nlohmann::json::object()}}}}});
  auto r = client_.request("PATCH", "/v2/images/" + id, patch, add.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(r.json()["locations"][1]["url"], source_->url(copy)) << r.body;
  r = client_.request("PATCH", "/v2/images/" + id, patch,
                      R"([{"op": "remove", "path": "/locations/0"}])");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(objects(), stored);
  // The store is unreachable for the scrubber: the location waits for a later pass.
  relay_->set_open(false);
  auto refused = scrub();
  relay_->set_open(true);
  EXPECT_EQ(refused.status, 0) << refused.output;
  EXPECT_EQ(objects(), stored) << refused.output;
  EXPECT_NE(refused.output.find("locations removed from images: 1 pending_delete, 0 scrubbed"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("left for the next pass"), std::string::npos) << refused.output;
  auto later = scrub();
  ASSERT_EQ(later.status, 0) << later.output;
  EXPECT_EQ(objects(), before) << later.output;
  EXPECT_NE(later.output.find("locations removed from images: 1 pending_delete, 1 scrubbed"),
            std::string::npos)
      << later.output;
  // The image stays active, read from its http copy.
  EXPECT_EQ(status_of(id), "active");
  auto read = client_.get("/v2/images/" + id + "/file");
  EXPECT_EQ(read.status, 200u);
  EXPECT_TRUE(read.body == data);
}

INSTANTIATE_TEST_SUITE_P(Stores, ScrubberRemoteStores, ::testing::Values("swift", "s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace glance::testing
