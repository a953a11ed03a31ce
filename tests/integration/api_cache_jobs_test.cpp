// glance-api's own image cache jobs (image_cache_prune_interval, image_cache_clean_interval,
// image_cache_prefetch_interval) against real daemons and the file store: the api prunes its
// cache to image_cache_max_size least recently used first, removes stalled fills and fetches
// queued images without any command being run; an interval of 0 starts no job; a run that
// fails (the registry down, the cache's incomplete/ unreadable) is logged, the api keeps
// serving, and the next run does the work; the jobs never keep the api from stopping.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Generous: the suite also runs under AddressSanitizer on a loaded machine.
constexpr auto kWait = 60s;

class ApiCacheJobs : public ::testing::Test {
 protected:
  void start(const std::string& options) {
    cache_dir_ = make_temp_dir("glance-image-cache");
    env_ = std::make_unique<ApiEnvironment>(
        true, "image_cache_dir = " + cache_dir_ + "\n" + options, "",
        "[paste_deploy]\nflavor = trusted-auth+cachemanagement\n");
    admin_ = env_->client(identity("tenant-admin", "admin", "root"));
  }

  std::string create(const std::string& data) const {
    auto r = admin_.post("/v1/images", data,
                         {{"x-image-meta-name", "cache-job"},
                          {"x-image-meta-disk_format", "raw"},
                          {"x-image-meta-container_format", "bare"},
                          {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  // Downloads the image, which fills the cache, and waits for its copy.
  void download_and_cache(const std::string& id, const std::string& data) const {
    EXPECT_EQ(admin_.get("/v1/images/" + id).body, data);
    EXPECT_TRUE(eventually([&] { return cached(id); }, kWait)) << id;
  }
  bool cached(const std::string& id) const { return fs::exists(fs::path(cache_dir_) / id); }
  bool queued(const std::string& id) const {
    return fs::exists(fs::path(cache_dir_) / "queue" / id);
  }
  fs::path incomplete() const { return fs::path(cache_dir_) / "incomplete"; }
  // A fill under incomplete/ last written `age` ago.
  fs::path write_fill(const std::string& name, std::chrono::seconds age) const {
    const auto path = incomplete() / name;
    std::ofstream(path) << "partial";
    fs::last_write_time(path, fs::file_time_type::clock::now() - age);
    return path;
  }
  size_t listed() const { return admin_.get("/v1/cached_images").json()["cached_images"].size(); }
  bool logged(const std::string& text) const {
    return env_->api().log().find(text) != std::string::npos;
  }

  std::string cache_dir_;
  std::unique_ptr<ApiEnvironment> env_;
  HttpClient admin_{0};
};

TEST_F(ApiCacheJobs, ThePruneJobEvictsLeastRecentlyUsedCopiesDownToTheMaximum) {
  start("image_cache_max_size = 250000\nimage_cache_prune_interval = 1\n");
  const auto a_data = random_bytes(100000, 41);
  const auto b_data = random_bytes(100000, 42);
  const auto c_data = random_bytes(100000, 43);
  const auto a = create(a_data);
  const auto b = create(b_data);
  const auto c = create(c_data);
  download_and_cache(a, a_data);
  download_and_cache(b, b_data);
  ASSERT_EQ(admin_.get("/v1/images/" + a).body, a_data);  // a hit: b is now the oldest
  download_and_cache(c, c_data);                          // 300000 bytes: over the maximum
  EXPECT_TRUE(eventually([&] { return !cached(b); }, kWait)) << env_->api().log();
  EXPECT_TRUE(cached(a));
  EXPECT_TRUE(cached(c));
  EXPECT_EQ(listed(), 2u);
  EXPECT_TRUE(logged("image cache prune job: pruned 1 images (100000 bytes)")) << env_->api().log();
  // The evicted image is served from the store again.
  EXPECT_EQ(admin_.get("/v1/images/" + b).body, b_data);
}

TEST_F(ApiCacheJobs, TheCleanJobRemovesStalledFillsOnly) {
  start("image_cache_stall_time = 600\nimage_cache_clean_interval = 1\n");
  const auto fresh = write_fill("6e2d9f1a-8c3b-4d4e-8f9a-b2c3d4e5f6a7", 0s);
  const auto stalled = write_fill("5d1c8f0e-7b2a-4c3d-9e8f-a1b2c3d4e5f6", 2h);
  EXPECT_TRUE(eventually([&] { return !fs::exists(stalled); }, kWait)) << env_->api().log();
  // The run that removed the stalled fill looked at the fresh one too.
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(logged("image cache clean job: removed 1 stalled fills")) << env_->api().log();
}

TEST_F(ApiCacheJobs, ThePrefetchJobCachesQueuedImagesAndKeepsTheMissingOnesQueued) {
  start("image_cache_prefetch_interval = 1\n");
  const auto data = random_bytes(200000, 44);
  const auto id = create(data);
  const std::string missing = "7a3e0f2b-9d4c-4e5f-a0b1-c3d4e5f6a7b8";
  ASSERT_FALSE(cached(id));
  ASSERT_EQ(admin_.put("/v1/queued_images/" + missing, "").status, 200u);
  ASSERT_EQ(admin_.put("/v1/queued_images/" + id, "").status, 200u);
  EXPECT_TRUE(eventually([&] { return cached(id) && !queued(id); }, kWait)) << env_->api().log();
  EXPECT_TRUE(queued(missing));
  EXPECT_EQ(admin_.get("/v1/queued_images").json()["queued_images"],
            nlohmann::json::array({missing}));
  // The prefetched copy answers without the store.
  fs::remove(fs::path(env_->datadir()) / id);
  EXPECT_EQ(admin_.get("/v1/images/" + id).body, data);
}

TEST_F(ApiCacheJobs, AnIntervalOfZeroStartsNoJob) {
  // Only the clean job runs; its runs show time passing for the other two, which would have
  // pruned the copy above image_cache_max_size and fetched the queued image by then.
  start(
      "image_cache_max_size = 1\nimage_cache_stall_time = 600\nimage_cache_clean_interval = 1\n"
      "image_cache_prune_interval = 0\n");
  const auto a_data = random_bytes(50000, 45);
  const auto a = create(a_data);
  const auto b = create(random_bytes(50000, 46));
  download_and_cache(a, a_data);
  ASSERT_EQ(admin_.put("/v1/queued_images/" + b, "").status, 200u);
  for (const char* name :
       {"8f4a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c", "9a5b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
        "0b6c3d4e-5f6a-4b7c-8d8e-9f0a1b2c3d4e"}) {
    const auto stalled = write_fill(name, 2h);
    ASSERT_TRUE(eventually([&] { return !fs::exists(stalled); }, kWait)) << env_->api().log();
  }
  EXPECT_TRUE(cached(a));
  EXPECT_TRUE(queued(b));
  EXPECT_FALSE(cached(b));
  EXPECT_TRUE(logged("image cache clean job runs every 1s"));
  EXPECT_FALSE(logged("image cache prune job")) << env_->api().log();
  EXPECT_FALSE(logged("image cache prefetch job")) << env_->api().log();
}

TEST_F(ApiCacheJobs, APrefetchRunWithoutTheRegistryKeepsTheImageQueuedAndTheNextOneCachesIt) {
  start("image_cache_prefetch_interval = 1\n");
  const auto data = random_bytes(150000, 47);
  const auto id = create(data);
  ASSERT_EQ(admin_.get("/healthcheck").status, 200u);
  const auto baseline = ProcessHealth::snapshot(env_->api().pid());
  env_->stop_registry();
  ASSERT_EQ(admin_.put("/v1/queued_images/" + id, "").status, 200u);
  ASSERT_TRUE(eventually([&] { return logged("could not prefetch image " + id); }, kWait))
      << env_->api().log();
  EXPECT_TRUE(queued(id));
  EXPECT_FALSE(cached(id));
  EXPECT_EQ(admin_.get("/healthcheck").status, 200u);  // the api still answers
  env_->start_registry_again();
  EXPECT_TRUE(eventually([&] { return cached(id) && !queued(id); }, kWait)) << env_->api().log();
  fs::remove(fs::path(env_->datadir()) / id);
  EXPECT_EQ(admin_.get("/v1/images/" + id).body, data);
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheJobs, ACleanRunThatCannotReadTheCacheIsLoggedAndTheNextOneWorks) {
  start("image_cache_stall_time = 600\nimage_cache_clean_interval = 1\n");
  const auto data = random_bytes(80000, 48);
  const auto id = create(data);
  ASSERT_EQ(admin_.get("/healthcheck").status, 200u);
  const auto baseline = ProcessHealth::snapshot(env_->api().pid());
  // incomplete/ replaced by a file: no run can read it, no fill can start.
  fs::remove_all(incomplete());
  std::ofstream(incomplete()) << "not a directory";
  ASSERT_TRUE(eventually([&] { return logged("image cache clean job failed"); }, kWait))
      << env_->api().log();
  // Downloads still work, from the store.
  EXPECT_EQ(admin_.get("/v1/images/" + id).body, data);
  EXPECT_FALSE(cached(id));
  fs::remove(incomplete());
  fs::create_directory(incomplete());
  const auto stalled = write_fill("5d1c8f0e-7b2a-4c3d-9e8f-a1b2c3d4e5f6", 2h);
  EXPECT_TRUE(eventually([&] { return !fs::exists(stalled); }, kWait)) << env_->api().log();
  download_and_cache(id, data);
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheJobs, JobsNeverKeepTheApiFromStopping) {
  // A long period (every job waiting) and a short one with the registry gone (a prefetch
  // run failing at each tick).
  for (const std::string interval : {"3600", "1"}) {
    start("image_cache_prune_interval = " + interval + "\nimage_cache_clean_interval = " +
          interval + "\nimage_cache_prefetch_interval = " + interval + "\n");
    ASSERT_EQ(admin_.put("/v1/queued_images/7a3e0f2b-9d4c-4e5f-a0b1-c3d4e5f6a7b8", "").status,
              200u);
    env_->stop_registry();
    if (interval == "1")
      ASSERT_TRUE(eventually([&] { return logged("could not prefetch image"); }, kWait))
          << env_->api().log();
    const auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(env_->api().stop(), 0) << env_->api().log();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 30s) << interval;
  }
}

}  // namespace
}  // namespace glance::testing
