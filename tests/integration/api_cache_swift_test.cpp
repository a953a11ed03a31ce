// glance-api's image cache in front of the Swift store, reached through a relay that counts
// the object GETs (and cuts one): after the first download fills the cache, later downloads
// never GET the object again; a GET cut by the network leaves nothing cached. Concurrent
// first downloads follow the one fill (single flight), through a second relay that can hold
// an object's body halfway, let it go on, or cut it: the object is read once, every body is
// whole, a cut fill cuts every follower, clients leaving or stalling (the first one's
// included) neither hold back the others nor leak, and a fill cut by a shutdown leaves no
// file behind.

#include "tests/support/api_fixture.h"
#include "tests/support/cutting_proxy.h"
#include "tests/support/eventually.h"
#include "tests/support/gated_proxy.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/swift_cluster.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
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

// A caching api whose Swift store (container `swift_container`) is reached through a relay on
// `relay_port` that forwards to the cluster's proxy; its cache in `cache_dir`.
// `api_extra` goes into its [DEFAULT] too.
ApiEnvironment* caching_api_behind(int relay_port, const std::string& storage_path,
                                   const std::string& swift_container, const std::string& cache_dir,
                                   const std::string& api_extra = "") {
  const auto& c = swift_cluster();
  const std::string stores =
      "stores = file, swift\ndefault_store = swift\n"
      "swift_store_auth_address = " +
      c.auth_url + "\nswift_store_auth_version = 1\nswift_store_user = " + c.user +
      "\nswift_store_key = " + c.key + "\nswift_store_container = " + swift_container +
      "\nswift_store_create_container_on_put = True\n"
      "swift_store_endpoint = http://127.0.0.1:" +
      std::to_string(relay_port) + storage_path + "\n";
  return new ApiEnvironment(false, "image_cache_dir = " + cache_dir + "\n" + api_extra, stores,
                            "[paste_deploy]\nflavor = caching\n");
}

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
    env_ = caching_api_behind(relay_->port(), *storage_path_, container(), *cache_dir_);
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
  // Those that found the fill running followed it.
  EXPECT_EQ(object_gets(id), 1);
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  EXPECT_EQ(object_gets(id), 1);
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
  // The fill's file is removed on the store workers, possibly after the client saw the cut;
  // the next fill of the image waits for it.
  EXPECT_TRUE(eventually([&] { return fs::is_empty(fs::path(*cache_dir_) / "incomplete"); }));
  EXPECT_EQ(client_.get("/v1/images/" + std::string(kCutImage)).body, data);
  ASSERT_TRUE(eventually([&] { return cached(kCutImage); }));
  EXPECT_EQ(client_.get("/v1/images/" + std::string(kCutImage)).body, data);
  expect_recovered(env_->api(), baseline);
}

// An api whose Swift objects are read through a GatedProxy.
class ApiCacheSwiftFlight : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& c = swift_cluster();
    std::string storage_url;
    swift_token(c, &storage_url);
    storage_path_ = new std::string(url_path(storage_url));
    gate_ = new GatedProxy(c.proxy_port);
    cache_dir_ = new std::string(make_temp_dir("glance-image-cache"));
    env_ = caching_api_behind(gate_->port(), *storage_path_, container() + "-flight", *cache_dir_);
  }
  static void TearDownTestSuite() {
    delete env_;
    delete gate_;
    delete cache_dir_;
    delete storage_path_;
  }

  // A download on a connection of its own, read by the test.
  struct Download {
    explicit Download(int port) : conn(port) {}
    RawConnection conn;
    std::string received;
    // Reads until the answer's head and some of its body arrived; false if it ended first.
    bool first_bytes() {
      for (;;) {
        const auto head_end = received.find("\r\n\r\n");
        if (head_end != std::string::npos && received.size() > head_end + 4) return true;
        auto more = conn.read(1, std::chrono::seconds(30));
        if (more.empty()) return false;
        received += more;
      }
    }
    // Reads to the end of the connection; returns the body.
    std::string rest() {
      for (;;) {
        auto more = conn.read(1 << 30, std::chrono::seconds(30));
        if (more.empty()) break;
        received += more;
      }
      const auto head_end = received.find("\r\n\r\n");
      return head_end == std::string::npos ? "" : received.substr(head_end + 4);
    }
  };

  std::string create(const std::string& data) const {
    auto r = client_.post("/v1/images", data,
                          {{"x-image-meta-name", "flight"},
                           {"x-image-meta-disk_format", "raw"},
                           {"x-image-meta-container_format", "bare"},
                           {"Content-Type", "application/octet-stream"},
                           {"x-image-meta-size", std::to_string(data.size())}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  std::string object(const std::string& id) const {
    return "GET " + *storage_path_ + "/" + container() + "-flight/" + id;
  }
  int object_gets(const std::string& id) const { return gate_->requests_starting(object(id)); }
  // Through v1, or v2's /file with `v2`.
  std::unique_ptr<Download> start(const std::string& id, bool v2 = false) const {
    auto d = std::make_unique<Download>(env_->api().port());
    const std::string target = v2 ? "/v2/images/" + id + "/file" : "/v1/images/" + id;
    EXPECT_TRUE(
        d->conn.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    return d;
  }
  // `n` downloads of `id` (every fourth through v2) started together while its object is
  // held after 1 MiB, each answered and reading before the test goes on: with the object
  // held, only a download following the one fill can have bytes to read.
  std::vector<std::unique_ptr<Download>> start_held(const std::string& id, size_t n) const {
    gate_->hold(object(id), 1 << 20);
    std::vector<std::unique_ptr<Download>> downloads;
    for (size_t i = 0; i < n; ++i) downloads.push_back(start(id, i % 4 == 3));
    EXPECT_TRUE(gate_->wait_held());
    for (size_t i = 0; i < n; ++i) EXPECT_TRUE(downloads[i]->first_bytes()) << i;
    return downloads;
  }
  // The bodies of `downloads`, read to their ends in parallel.
  static std::vector<std::string> rest(const std::vector<Download*>& downloads) {
    std::vector<std::string> bodies(downloads.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < downloads.size(); ++i)
      threads.emplace_back([&, i] { bodies[i] = downloads[i]->rest(); });
    for (auto& t : threads) t.join();
    return bodies;
  }
  // The api's baseline once `n` concurrent requests have grown its registry client's pool
  // as far as `n` downloads will.
  ProcessHealth baseline_after(const std::string& id, size_t n) const {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i)
      threads.emplace_back(
          [&] { EXPECT_EQ(env_->client().head("/v1/images/" + id).status, 200u); });
    for (auto& t : threads) t.join();
    return ProcessHealth::snapshot(env_->api().pid());
  }
  bool cached(const std::string& id) const { return fs::exists(fs::path(*cache_dir_) / id); }
  bool filling(const std::string& id) const {
    return fs::exists(fs::path(*cache_dir_) / "incomplete" / id);
  }
  size_t count_in_log(const std::string& text) const {
    const auto log = env_->api().log();
    size_t n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }

  static inline ApiEnvironment* env_ = nullptr;
  static inline GatedProxy* gate_ = nullptr;
  static inline std::string* cache_dir_ = nullptr;
  static inline std::string* storage_path_ = nullptr;
  HttpClient client_ = env_->client();
};

TEST_F(ApiCacheSwiftFlight, ThirtyTwoConcurrentColdDownloadsReadTheObjectOnce) {
  const auto data = random_bytes(6 * 1024 * 1024 + 3, 41);
  const auto id = create(data);
  auto downloads = start_held(id, 32);
  EXPECT_EQ(object_gets(id), 1);
  gate_->release();
  std::vector<Download*> all;
  for (auto& d : downloads) all.push_back(d.get());
  const auto bodies = rest(all);
  for (size_t i = 0; i < bodies.size(); ++i)
    EXPECT_TRUE(bodies[i] == data) << "download " << i << ": " << bodies[i].size() << " bytes";
  EXPECT_EQ(object_gets(id), 1);
  ASSERT_TRUE(eventually([&] { return cached(id) && !filling(id); }));
  EXPECT_EQ(count_in_log(id + " cached ("), 1u);
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  EXPECT_EQ(object_gets(id), 1);
}

TEST_F(ApiCacheSwiftFlight, AnObjectCutMidFillCutsEveryFollowerAndCachesNothing) {
  const auto data = random_bytes(4 * 1024 * 1024, 42);
  const auto id = create(data);
  const auto baseline = baseline_after(id, 8);
  auto downloads = start_held(id, 8);
  gate_->cut();
  std::vector<Download*> all;
  for (auto& d : downloads) all.push_back(d.get());
  const auto bodies = rest(all);
  for (size_t i = 0; i < bodies.size(); ++i) {
    // Cut before its Content-Length, with only bytes of the image.
    EXPECT_LT(bodies[i].size(), data.size()) << i;
    EXPECT_TRUE(bodies[i] == data.substr(0, bodies[i].size())) << i;
  }
  EXPECT_EQ(object_gets(id), 1);
  ASSERT_TRUE(eventually([&] { return !filling(id); }));
  EXPECT_FALSE(cached(id));
  EXPECT_TRUE(fs::is_empty(fs::path(*cache_dir_) / "incomplete"));
  // The next download reads the store again, whole, and fills the cache.
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return cached(id); }));
  EXPECT_EQ(object_gets(id), 2);
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheSwiftFlight, FollowersResettingMidStreamLeaveTheOthersAndTheDaemonWhole) {
  const auto data = random_bytes(4 * 1024 * 1024, 43);
  const auto id = create(data);
  const auto baseline = baseline_after(id, 8);
  auto downloads = start_held(id, 8);
  for (size_t i = 1; i + 1 < downloads.size(); ++i) downloads[i]->conn.reset();
  gate_->release();
  const auto bodies = rest({downloads.front().get(), downloads.back().get()});
  EXPECT_TRUE(bodies[0] == data) << bodies[0].size();
  EXPECT_TRUE(bodies[1] == data) << bodies[1].size();
  ASSERT_TRUE(eventually([&] { return cached(id) && !filling(id); }));
  EXPECT_EQ(object_gets(id), 1);
  downloads.clear();
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheSwiftFlight, TheLeaderLeavingMidStreamLeavesTheFillToItsFollowers) {
  const auto data = random_bytes(4 * 1024 * 1024, 44);
  const auto id = create(data);
  const auto baseline = baseline_after(id, 5);
  // The first download leads: the others start once its object GET is held.
  gate_->hold(object(id), 1 << 20);
  auto leader = start(id);
  ASSERT_TRUE(gate_->wait_held());
  ASSERT_TRUE(leader->first_bytes());
  std::vector<std::unique_ptr<Download>> followers;
  for (int i = 0; i < 4; ++i) followers.push_back(start(id));
  for (auto& f : followers) ASSERT_TRUE(f->first_bytes());
  leader->conn.reset();
  gate_->release();
  std::vector<Download*> all;
  for (auto& f : followers) all.push_back(f.get());
  const auto bodies = rest(all);
  for (size_t i = 0; i < bodies.size(); ++i)
    EXPECT_TRUE(bodies[i] == data) << "follower " << i << ": " << bodies[i].size() << " bytes";
  ASSERT_TRUE(eventually([&] { return cached(id) && !filling(id); }));
  EXPECT_EQ(count_in_log(id + " cached ("), 1u);
  EXPECT_EQ(object_gets(id), 1);
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  EXPECT_EQ(object_gets(id), 1);
  leader.reset();
  followers.clear();
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheSwiftFlight, AStalledFirstDownloadHoldsNoFollowerBack) {
  // More than the first client's socket buffers and the api's can hold between them, so
  // that a fill going at that client's pace would stop partway while it reads nothing.
  const auto data = random_bytes(24 * 1024 * 1024 + 7, 46);
  const auto id = create(data);
  const auto baseline = baseline_after(id, 5);
  gate_->hold(object(id), 1 << 20);
  auto first = std::make_unique<Download>(env_->api().port());
  first->conn.set_receive_buffer(64 * 1024);
  ASSERT_TRUE(first->conn.send("GET /v1/images/" + id +
                               " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(gate_->wait_held());
  ASSERT_TRUE(first->first_bytes());
  std::vector<std::unique_ptr<Download>> followers;
  for (int i = 0; i < 4; ++i) followers.push_back(start(id));
  for (auto& f : followers) ASSERT_TRUE(f->first_bytes());
  // From here the first download reads nothing. Its write timeout (client_socket_timeout,
  // 900 s) is far away: each follower read gives up after 30 s without data, so a follower
  // held back by it ends short.
  gate_->release();
  std::vector<Download*> all;
  for (auto& f : followers) all.push_back(f.get());
  const auto bodies = rest(all);
  for (size_t i = 0; i < bodies.size(); ++i)
    EXPECT_TRUE(bodies[i] == data) << "follower " << i << ": " << bodies[i].size() << " bytes";
  ASSERT_TRUE(eventually([&] { return cached(id) && !filling(id); }));
  EXPECT_EQ(count_in_log(id + " cached ("), 1u);
  EXPECT_EQ(object_gets(id), 1);
  // The stalled download, reading again, gets the whole image too.
  EXPECT_TRUE(first->rest() == data) << first->received.size();
  EXPECT_EQ(object_gets(id), 1);
  first.reset();
  followers.clear();
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCacheSwiftFlight, AFillCutByTheShutdownLeavesNoIncompleteFile) {
  // An api of its own, stopped by the test, which cuts its connections a second after SIGTERM.
  const auto cache_dir = make_temp_dir("glance-image-cache");
  std::unique_ptr<ApiEnvironment> env(caching_api_behind(gate_->port(), *storage_path_,
                                                         container() + "-flight", cache_dir,
                                                         "graceful_shutdown_timeout = 1\n"));
  const auto data = random_bytes(4 * 1024 * 1024, 47);
  auto created = env->client().post("/v1/images", data,
                                    {{"x-image-meta-name", "flight"},
                                     {"x-image-meta-disk_format", "raw"},
                                     {"x-image-meta-container_format", "bare"},
                                     {"Content-Type", "application/octet-stream"},
                                     {"x-image-meta-size", std::to_string(data.size())}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  gate_->hold(object(id), 1 << 20);
  Download download(env->api().port());
  ASSERT_TRUE(download.conn.send("GET /v1/images/" + id +
                                 " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(gate_->wait_held());
  ASSERT_TRUE(download.first_bytes());
  const auto incomplete = fs::path(cache_dir) / "incomplete";
  ASSERT_TRUE(fs::exists(incomplete / id));
  // The fill waits on the store when the api stops: nothing resumes it before the exit.
  env->api().signal(SIGTERM);
  EXPECT_EQ(env->api().wait_exit(std::chrono::seconds(60)), 0);
  EXPECT_TRUE(fs::is_empty(incomplete));
  EXPECT_FALSE(fs::exists(fs::path(cache_dir) / id));
  EXPECT_NE(env->api().log().find("removing the fill of " + id + ", cut by the shutdown"),
            std::string::npos);
  EXPECT_LT(download.rest().size(), data.size());
  gate_->cut();
}

}  // namespace
}  // namespace glance::testing
