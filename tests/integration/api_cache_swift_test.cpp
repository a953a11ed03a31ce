// glance-api's image cache in front of the Swift store, reached through a relay that counts
// the object GETs (and cuts one): after the first download fills the cache, later downloads
// never GET the object again; a GET cut by the network leaves nothing cached.

#include "tests/support/api_fixture.h"
#include "tests/support/cutting_proxy.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/swift_cluster.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

std::string container() {
  return "glance-cache-test-" + std::to_string(::getpid());
}

// The image whose first object GET the relay cuts.
constexpr const char* kCutImage = "3c1e5b7a-2d4f-4a6b-8c9d-0e1f2a3b4c5d";

class ApiCacheSwift : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& c = swift_cluster();
    std::string storage_url;
    swift_token(c, &storage_url);
    storage_path_ = new std::string(url_path(storage_url));
    relay_ = new CuttingProxy(c.proxy_port,
                              "GET " + *storage_path_ + "/" + container() + "/" + kCutImage);
    cache_dir_ = new std::string(make_temp_dir("glance-image-cache"));
    const std::string stores =
        "stores = file, swift\ndefault_store = swift\n"
        "swift_store_auth_address = " +
        c.auth_url + "\nswift_store_auth_version = 1\nswift_store_user = " + c.user +
        "\nswift_store_key = " + c.key + "\nswift_store_container = " + container() +
        "\nswift_store_create_container_on_put = True\n"
        "swift_store_endpoint = http://127.0.0.1:" +
        std::to_string(relay_->port()) + *storage_path_ + "\n";
    env_ = new ApiEnvironment(false, "image_cache_dir = " + *cache_dir_, stores,
                              "[paste_deploy]\nflavor = caching\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    delete relay_;
    delete cache_dir_;
    delete storage_path_;
  }
  std::string create(const std::string& data, const std::string& id = "") const {
    HeaderList h = {{"x-image-meta-name", "swift-cached"},
                    {"x-image-meta-disk_format", "raw"},
                    {"x-image-meta-container_format", "bare"},
                    {"Content-Type", "application/octet-stream"},
                    // A declared size goes to Swift with Content-Length, which the relay needs.
                    {"x-image-meta-size", std::to_string(data.size())}};
    if (!id.empty()) h.push_back({"x-image-meta-id", id});
    auto r = client_.post("/v1/images", data, h);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  int object_gets(const std::string& id) const {
    return relay_->requests_starting("GET " + *storage_path_ + "/" + container() + "/" + id);
  }
  bool cached(const std::string& id) const { return fs::exists(fs::path(*cache_dir_) / id); }
  // How many fills of `id` were committed, from the api's log.
  size_t count_filled(const std::string& id) const {
    const auto log = env_->api().log();
    const std::string line = id + " cached (";
    size_t n = 0;
    for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++n;
    return n;
  }

  static inline ApiEnvironment* env_ = nullptr;
  static inline CuttingProxy* relay_ = nullptr;
  static inline std::string* cache_dir_ = nullptr;
  static inline std::string* storage_path_ = nullptr;
  HttpClient client_ = env_->client();
};

TEST_F(ApiCacheSwift, OnlyTheFirstDownloadReadsTheObject) {
  const auto data = random_bytes(3 * 1024 * 1024 + 5, 21);
  const auto id = create(data);
  ASSERT_EQ(object_gets(id), 0);
  ASSERT_EQ(client_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return cached(id); }));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client_.get("/v1/images/" + id).body, data) << i;
  EXPECT_EQ(object_gets(id), 1);
}

TEST_F(ApiCacheSwift, SixteenConcurrentFirstDownloadsFillOnceAndAllGetTheBytes) {
  const auto data = random_bytes(4 * 1024 * 1024, 22);
  const auto id = create(data);
  std::vector<std::string> bodies(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < bodies.size(); ++i)
    threads.emplace_back([&, i] { bodies[i] = env_->client().get("/v1/images/" + id).body; });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < bodies.size(); ++i) EXPECT_TRUE(bodies[i] == data) << i;
  ASSERT_TRUE(eventually([&] { return cached(id); }));
  EXPECT_EQ(fs::file_size(fs::path(*cache_dir_) / id), data.size());
  // Those that found the fill running read the store themselves; none after it.
  const int gets = object_gets(id);
  EXPECT_GE(gets, 1);
  EXPECT_LE(gets, 16);
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  EXPECT_EQ(object_gets(id), gets);
  EXPECT_EQ(count_filled(id), 1u);
}

TEST_F(ApiCacheSwift, ACutObjectGetLeavesNothingCachedAndTheNextDownloadIsRight) {
  const auto data = random_bytes(1024 * 1024, 23);
  create(data, kCutImage);
  const auto baseline = ProcessHealth::snapshot(env_->api().pid());
  auto cut = client_.get("/v1/images/" + std::string(kCutImage));
  EXPECT_EQ(relay_->cuts(), 1);
  EXPECT_NE(cut.status, 200u) << cut.body.size();
  EXPECT_FALSE(cached(kCutImage));
  EXPECT_TRUE(fs::is_empty(fs::path(*cache_dir_) / "incomplete"));
  EXPECT_EQ(client_.get("/v1/images/" + std::string(kCutImage)).body, data);
  ASSERT_TRUE(eventually([&] { return cached(kCutImage); }));
  EXPECT_EQ(client_.get("/v1/images/" + std::string(kCutImage)).body, data);
  expect_recovered(env_->api(), baseline);
}

}  // namespace
}  // namespace glance::testing
