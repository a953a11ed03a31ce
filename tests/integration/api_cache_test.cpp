// glance-api's image cache (flavor ...+cachemanagement) against real daemons and the file
// store: a first download fills the cache and later ones are served from it without the
// store; concurrent first downloads fill it once; a cut or corrupt stream leaves nothing
// cached; the registry still decides who sees what; deleting an image drops its copy; the
// management routes are admin-only; upstream's glance-cache-manage drives them unchanged.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ApiCache : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cache_dir_ = new std::string(make_temp_dir("glance-image-cache"));
    env_ = new ApiEnvironment(true, "image_cache_dir = " + *cache_dir_, "",
                              "[paste_deploy]\nflavor = trusted-auth+cachemanagement\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    delete cache_dir_;
  }

  std::string create(const HttpClient& as, const std::string& data,
                     const std::string& is_public = "False") const {
    auto r = as.post("/v1/images", data,
                     {{"x-image-meta-name", "cached"},
                      {"x-image-meta-disk_format", "raw"},
                      {"x-image-meta-container_format", "bare"},
                      {"x-image-meta-is_public", is_public},
                      {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  fs::path stored(const std::string& id) const { return fs::path(env_->datadir()) / id; }
  fs::path cached(const std::string& id) const { return fs::path(*cache_dir_) / id; }
  // The image's row in GET /v1/cached_images, or null.
  nlohmann::json cache_row(const std::string& id) const {
    auto r = admin_.get("/v1/cached_images");
    EXPECT_EQ(r.status, 200u) << r.body;
    const auto body = r.json();
    for (const auto& row : body["cached_images"])
      if (row["image_id"] == id) return row;
    return nullptr;
  }
  bool is_cached(const std::string& id) const { return !cache_row(id).is_null(); }
  // The body of alice's GET of `id`, read on a connection of its own until the api closes it:
  // for downloads cut short of their Content-Length, which HttpClient refuses.
  std::string body_until_closed(const std::string& id) const {
    RawConnection conn(env_->api().port());
    EXPECT_TRUE(conn.send("GET /v1/images/" + id +
                          " HTTP/1.1\r\nHost: x\r\nX-Identity-Status: Confirmed\r\n"
                          "X-Tenant-Id: tenant-a\r\nX-Roles: member\r\nX-User-Id: alice\r\n"
                          "Connection: close\r\n\r\n"));
    std::string received;
    for (;;) {
      auto more = conn.read(1 << 20, std::chrono::seconds(30));
      if (more.empty()) break;
      received += more;
    }
    EXPECT_EQ(received.rfind("HTTP/1.1 200 ", 0), 0u) << received.substr(0, 200);
    const auto head_end = received.find("\r\n\r\n");
    return head_end == std::string::npos ? "" : received.substr(head_end + 4);
  }
  // Whether a fill of `id` is still under incomplete/.
  bool filling(const std::string& id) const {
    return fs::exists(fs::path(*cache_dir_) / "incomplete" / id);
  }

  static inline ApiEnvironment* env_ = nullptr;
  static inline std::string* cache_dir_ = nullptr;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient bob_ = env_->client(identity("tenant-b", "member", "bob"));
  HttpClient admin_ = env_->client(identity("tenant-admin", "admin", "root"));
};

TEST_F(ApiCache, FirstDownloadFillsTheCacheAndLaterOnesNeedNoStore) {
  const auto data = random_bytes(3 * 1024 * 1024 + 17, 1);
  const auto id = create(alice_, data);
  EXPECT_FALSE(is_cached(id));
  auto first = alice_.get("/v1/images/" + id);
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(first.body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  EXPECT_EQ(read_file(cached(id)), data);
  EXPECT_EQ(cache_row(id)["size"], data.size());

  // Without the store's file, only the cache can answer.
  fs::remove(stored(id));
  auto second = alice_.get("/v1/images/" + id);
  ASSERT_EQ(second.status, 200u);
  EXPECT_EQ(second.body, data);
  auto part = alice_.get("/v1/images/" + id, {{"Range", "bytes=100-199"}});
  ASSERT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, data.substr(100, 100));
  EXPECT_EQ(part.header("Content-Range"),
            std::optional<std::string>("bytes 100-199/" + std::to_string(data.size())));
  auto etag = alice_.head("/v1/images/" + id).header("x-image-meta-checksum").value_or("");
  EXPECT_EQ(alice_.get("/v1/images/" + id, {{"If-None-Match", "\"" + etag + "\""}}).status, 304u);
  auto v2 = alice_.get("/v2/images/" + id + "/file");
  ASSERT_EQ(v2.status, 200u);
  EXPECT_EQ(v2.body, data);
  EXPECT_GE(cache_row(id)["hits"].get<int>(), 3);
}

TEST_F(ApiCache, TheRegistryStillDecidesWhoGetsACachedImage) {
  const auto data = random_bytes(100000, 2);
  const auto id = create(alice_, data);
  ASSERT_EQ(alice_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  // Private to tenant-a: the cached copy is no reason to show it to tenant-b.
  EXPECT_EQ(bob_.get("/v1/images/" + id).status, 404u);
  EXPECT_EQ(bob_.get("/v2/images/" + id + "/file").status, 404u);
  // Deleting the image drops its copy, and the copy is never served again.
  ASSERT_EQ(alice_.del("/v1/images/" + id).status, 200u);
  EXPECT_FALSE(is_cached(id));
  EXPECT_FALSE(fs::exists(cached(id)));
  EXPECT_EQ(admin_.get("/v1/images/" + id).status, 404u);
}

TEST_F(ApiCache, ADeactivatedImagesCopyIsNotServed) {
  const auto data = random_bytes(40000, 8);
  const auto id = create(alice_, data);
  ASSERT_EQ(alice_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  ASSERT_EQ(admin_.post("/v2/images/" + id + "/actions/deactivate", "").status, 204u);
  EXPECT_EQ(alice_.get("/v1/images/" + id).status, 403u);
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file").status, 403u);
  ASSERT_EQ(admin_.post("/v2/images/" + id + "/actions/reactivate", "").status, 204u);
  EXPECT_EQ(alice_.get("/v1/images/" + id).body, data);
}

TEST_F(ApiCache, AClientLeavingMidDownloadLeavesNoPartialFill) {
  const auto data = random_bytes(8 * 1024 * 1024, 9);
  const auto id = create(alice_, data);
  const auto baseline = ProcessHealth::snapshot(env_->api().pid());
  {
    RawConnection conn(env_->api().port());
    conn.set_receive_buffer(4096);
    ASSERT_TRUE(conn.send("GET /v1/images/" + id +
                          " HTTP/1.1\r\nHost: x\r\nX-Identity-Status: Confirmed\r\n"
                          "X-Tenant-Id: tenant-a\r\nX-Roles: member\r\nX-User-Id: alice\r\n\r\n"));
    EXPECT_FALSE(conn.read(64 * 1024).empty());
    conn.reset();
  }
  // The fill goes at the store's pace, not the client's: from local disk it may have been
  // committed before the client left; if not, it stopped with nobody following it. Either
  // way nothing partial stays, and a copy is the whole image.
  ASSERT_TRUE(eventually([&] { return !filling(id); }));
  if (is_cached(id)) EXPECT_EQ(read_file(cached(id)), data);
  EXPECT_EQ(alice_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  EXPECT_EQ(read_file(cached(id)), data);
  expect_recovered(env_->api(), baseline);
}

TEST_F(ApiCache, AnImageDeletedWhileItsFillRunsIsNotLeftCached) {
  const auto data = random_bytes(8 * 1024 * 1024, 10);
  const auto id = create(alice_, data);
  RawConnection conn(env_->api().port());
  // Small enough that what the sockets hold (this buffer and the api's send buffer, a few
  // MiB at most) leaves the download unfinished until the client reads on; large enough
  // for a window of several loopback segments (64 KiB each), so that the rest then comes at
  // once: through a 4 KiB buffer it trickled in at the sender's window probes, minutes.
  conn.set_receive_buffer(256 << 10);
  ASSERT_TRUE(conn.send("GET /v1/images/" + id +
                        " HTTP/1.1\r\nHost: x\r\nX-Identity-Status: Confirmed\r\n"
                        "X-Tenant-Id: tenant-a\r\nX-Roles: member\r\nX-User-Id: alice\r\n"
                        "Connection: close\r\n\r\n"));
  std::string received = conn.read(64 * 1024);
  ASSERT_FALSE(received.empty());
  // The download is still going (its access line comes at its end).
  ASSERT_EQ(env_->api().log().find(" GET /v1/images/" + id + " 200 "), std::string::npos);
  // From local disk the fill, which goes at the store's pace, may be over already: the
  // delete then removes the copy itself rather than the one the fill would commit.
  // The store's file goes, but the open descriptor still feeds the download to its end.
  ASSERT_EQ(alice_.del("/v1/images/" + id).status, 200u);
  while (received.size() < data.size()) {
    auto more = conn.read(1 << 20);
    if (more.empty()) break;
    received += more;
  }
  EXPECT_EQ(received.substr(received.size() - data.size()), data);
  EXPECT_TRUE(eventually([&] {
    return env_->api().log().find(" GET /v1/images/" + id + " 200 ") != std::string::npos;
  }));
  ASSERT_TRUE(eventually([&] { return !filling(id); }));
  EXPECT_FALSE(is_cached(id));
  EXPECT_FALSE(fs::exists(cached(id)));
}

TEST_F(ApiCache, ACopyWhoseImageChangedBehindTheApiIsNeverServed) {
  // A copy filled under a checksum the registry no longer records (the image was deleted
  // and its data replaced through another api node) is dropped on the next download.
  const auto data = random_bytes(50000, 3);
  const auto id = create(alice_, data);
  ASSERT_EQ(alice_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  ASSERT_EQ(alice_.del("/v2/images/" + id).status, 204u);
  EXPECT_FALSE(is_cached(id));
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file").status, 404u);
}

TEST_F(ApiCache, SixteenConcurrentFirstDownloadsFillTheCacheOnce) {
  const auto data = random_bytes(4 * 1024 * 1024, 4);
  const auto id = create(admin_, data, "True");
  const auto log_before = count(env_->api().log(), id + " cached (");
  std::vector<std::string> bodies(16);
  std::vector<unsigned> statuses(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < bodies.size(); ++i)
    threads.emplace_back([&, i] {
      auto r = env_->client(identity("tenant-" + std::to_string(i), "member", "u"))
                   .get("/v1/images/" + id);
      statuses[i] = r.status;
      bodies[i] = std::move(r.body);
    });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(statuses[i], 200u) << i;
    EXPECT_TRUE(bodies[i] == data) << "download " << i << " differs";
  }
  ASSERT_TRUE(eventually([&] { return is_cached(id) && !filling(id); }));
  EXPECT_EQ(count(env_->api().log(), id + " cached (") - log_before, 1u);
  EXPECT_EQ(read_file(cached(id)), data);
}

TEST_F(ApiCache, AStreamCutShortLeavesNothingCachedAndTheNextDownloadIsRight) {
  const auto data = random_bytes(2 * 1024 * 1024, 5);
  const auto id = create(alice_, data);
  ApiEnvironment& env = *env_;
  const auto baseline = ProcessHealth::snapshot(env.api().pid());
  // The store's file loses its second half: the download is cut where the data ends.
  fs::resize_file(stored(id), data.size() / 2);
  const auto cut = body_until_closed(id);
  EXPECT_LE(cut.size(), data.size() / 2);
  EXPECT_TRUE(cut == data.substr(0, cut.size()));
  ASSERT_TRUE(eventually([&] { return !filling(id); }));
  EXPECT_FALSE(is_cached(id));
  EXPECT_FALSE(fs::exists(cached(id)));

  write_file(stored(id), data);
  auto whole = alice_.get("/v1/images/" + id);
  ASSERT_EQ(whole.status, 200u);
  EXPECT_EQ(whole.body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
  EXPECT_EQ(read_file(cached(id)), data);
  expect_recovered(env.api(), baseline);
}

TEST_F(ApiCache, DataThatFailsItsChecksumIsCutBeforeItsLastByteAndNeverCached) {
  const auto data = random_bytes(300000, 6);
  const auto id = create(alice_, data);
  auto corrupt = data;
  corrupt[1000] = static_cast<char>(corrupt[1000] ^ 0x5a);
  write_file(stored(id), corrupt);
  // The download follows the fill, whose last byte waits for the checksum: a mismatch cuts
  // it short of its Content-Length, with only the store's bytes.
  const auto cut = body_until_closed(id);
  EXPECT_LT(cut.size(), corrupt.size());
  EXPECT_TRUE(cut == corrupt.substr(0, cut.size())) << cut.size();
  ASSERT_TRUE(eventually([&] { return !filling(id); }));
  EXPECT_FALSE(is_cached(id));
  EXPECT_FALSE(fs::exists(cached(id)));
  EXPECT_NE(env_->api().log().find("not caching " + id + ": the data does not match"),
            std::string::npos);

  write_file(stored(id), data);
  EXPECT_EQ(alice_.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return is_cached(id); }));
}

TEST_F(ApiCache, ManagementRoutesAreForAdminsOnly) {
  const std::string id = "71c675ab-d94f-49cd-a114-e12490b328d9";
  for (const std::string root : {"/v1", "/v2"}) {
    EXPECT_EQ(alice_.get(root + "/cached_images").status, 403u);
    EXPECT_EQ(alice_.del(root + "/cached_images").status, 403u);
    EXPECT_EQ(alice_.del(root + "/cached_images/" + id).status, 403u);
    EXPECT_EQ(alice_.get(root + "/queued_images").status, 403u);
    EXPECT_EQ(alice_.put(root + "/queued_images/" + id, "").status, 403u);
    EXPECT_EQ(alice_.del(root + "/queued_images/" + id).status, 403u);
    EXPECT_EQ(alice_.del(root + "/queued_images").status, 403u);
  }
  auto queued = admin_.put("/v2/queued_images/" + id, "");
  EXPECT_EQ(queued.status, 200u) << queued.body;
  auto listed = admin_.get("/v1/queued_images");
  ASSERT_EQ(listed.status, 200u);
  EXPECT_EQ(listed.json()["queued_images"], nlohmann::json::array({id}));
  // An id that could escape the queue directory is refused.
  EXPECT_EQ(admin_.put("/v1/queued_images/..%2F..%2Fetc", "").status, 400u);
  auto cleared = admin_.del("/v1/queued_images");
  ASSERT_EQ(cleared.status, 200u);
  EXPECT_EQ(cleared.json()["num_deleted"], 1);
  EXPECT_EQ(admin_.get("/v2/queued_images").json()["queued_images"], nlohmann::json::array());
}

// Upstream's operator command, unchanged, against an api without authentication (flavor
// cachemanagement). The command insists on Keystone unless it is given a token, which the
// api then ignores. Without a policy granting it, the default refuses the admin context.
class ApiCacheManageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_dir_ = make_temp_dir("glance-image-cache");
    // Without authentication every caller is admin but has no roles, so the operator grants
    // manage_image_cache (role:admin by default, as upstream's) to the admin context.
    const auto policy = fs::path(make_temp_dir("glance-policy")) / "policy.json";
    write_file(policy, R"({"manage_image_cache": "is_admin:True"})");
    env_ = std::make_unique<ApiEnvironment>(
        false, "image_cache_dir = " + cache_dir_, "",
        "[paste_deploy]\nflavor = cachemanagement\n[oslo_policy]\npolicy_file = " +
            policy.string() + "\n");
  }
  std::pair<int, std::string> cache_manage(const std::string& args) const {
    return Daemon::run(
        "/usr/bin/python3 /usr/bin/glance-cache-manage",
        "-H 127.0.0.1 -p " + std::to_string(env_->api().port()) + " --os-auth-token fake " + args);
  }

  std::string cache_dir_;
  std::unique_ptr<ApiEnvironment> env_;
};

TEST_F(ApiCacheManageCli, ListsQueuesAndDeletes) {
  auto client = env_->client();
  ASSERT_EQ(client.get("/v1/cached_images").status, 200u);
  const auto data = random_bytes(70000, 7);
  auto created = client.post("/v1/images", data,
                             {{"x-image-meta-name", "cli"},
                              {"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"},
                              {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];

  auto [rc, out] = cache_manage("list-cached");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("No cached images."), std::string::npos) << out;

  ASSERT_EQ(client.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] {
    auto [code, text] = cache_manage("list-cached");
    return code == 0 && text.find(id) != std::string::npos;
  }));
  std::tie(rc, out) = cache_manage("list-cached");
  EXPECT_NE(out.find("Found 1 cached images"), std::string::npos) << out;
  EXPECT_NE(out.find(std::to_string(data.size())), std::string::npos) << out;

  const std::string other = "0b3f7d2e-5a4c-4e8b-9d1f-2c6a7e8b9f01";
  std::tie(rc, out) = cache_manage("-f queue-image " + other);
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = cache_manage("list-queued");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(other), std::string::npos) << out;
  // An image already cached is not queued again.
  std::tie(rc, out) = cache_manage("-f queue-image " + id);
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = cache_manage("list-queued");
  EXPECT_EQ(out.find(id), std::string::npos) << out;
  std::tie(rc, out) = cache_manage("-f delete-queued-image " + other);
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = cache_manage("list-queued");
  EXPECT_NE(out.find("No queued images."), std::string::npos) << out;

  std::tie(rc, out) = cache_manage("-f delete-cached-image " + id);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_FALSE(fs::exists(fs::path(cache_dir_) / id));
  std::tie(rc, out) = cache_manage("list-cached");
  EXPECT_NE(out.find("No cached images."), std::string::npos) << out;

  ASSERT_EQ(client.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return fs::exists(fs::path(cache_dir_) / id); }));
  std::tie(rc, out) = cache_manage("-v -f delete-all-cached-images");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Deleted 1 cached images"), std::string::npos) << out;
  std::tie(rc, out) = cache_manage("-f delete-all-queued-images");
  EXPECT_EQ(rc, 0) << out;
}

// glance-cache-pruner and glance-cache-cleaner on the directory of a running api, reading
// its config file with one more layered on top.
class ApiCacheCommands : public ApiCacheManageCli {
 protected:
  std::pair<int, std::string> command(const std::string& name, const std::string& extra) const {
    const auto layer = fs::path(make_temp_dir("glance-cache-conf")) / "extra.conf";
    write_file(layer, "[DEFAULT]\n" + extra + "\n");
    const auto binary = fs::path(api_binary()).parent_path() / name;
    return Daemon::run(binary.string(), "--config-file " + env_->api().config_path() +
                                            " --config-file " + layer.string());
  }
  std::string create_and_cache(const std::string& data) const {
    auto client = env_->client();
    auto created = client.post("/v1/images", data,
                               {{"x-image-meta-name", "pruned"},
                                {"x-image-meta-disk_format", "raw"},
                                {"x-image-meta-container_format", "bare"},
                                {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id = created.json()["image"]["id"];
    EXPECT_EQ(client.get("/v1/images/" + id).body, data);
    EXPECT_TRUE(eventually([&] { return fs::exists(fs::path(cache_dir_) / id); }));
    return id;
  }
  bool cached(const std::string& id) const { return fs::exists(fs::path(cache_dir_) / id); }
};

TEST_F(ApiCacheCommands, PrunerRemovesLeastRecentlyUsedCopiesDownToTheMaximum) {
  const auto a = create_and_cache(random_bytes(100000, 11));
  const auto b = create_and_cache(random_bytes(100000, 12));
  const auto c = create_and_cache(random_bytes(100000, 13));
  ASSERT_EQ(env_->client().get("/v1/images/" + a).status, 200u);  // a hit: a is now newest
  auto [rc, out] = command("glance-cache-pruner", "image_cache_max_size = 250000");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(cached(a));
  EXPECT_FALSE(cached(b));
  EXPECT_TRUE(cached(c));
  auto listed = env_->client().get("/v1/cached_images").json()["cached_images"];
  EXPECT_EQ(listed.size(), 2u) << listed;
  // A pruned image is served from the store again, and cached again.
  ASSERT_EQ(env_->client().get("/v1/images/" + b).body, random_bytes(100000, 12));
  EXPECT_TRUE(eventually([&] { return cached(b); }));

  std::tie(rc, out) = command("glance-cache-pruner", "image_cache_max_size = 0");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_FALSE(cached(a) || cached(b) || cached(c));
  EXPECT_EQ(env_->client().get("/v1/images/" + c).body, random_bytes(100000, 13));
}

TEST_F(ApiCacheCommands, CleanerRemovesStalledFillsOnly) {
  const auto incomplete = fs::path(cache_dir_) / "incomplete";
  const auto stalled = incomplete / "5d1c8f0e-7b2a-4c3d-9e8f-a1b2c3d4e5f6";
  const auto fresh = incomplete / "6e2d9f1a-8c3b-4d4e-8f9a-b2c3d4e5f6a7";
  write_file(stalled, "partial");
  write_file(fresh, "partial");
  fs::last_write_time(stalled, fs::file_time_type::clock::now() - std::chrono::hours(2));
  auto [rc, out] = command("glance-cache-cleaner", "image_cache_stall_time = 3600");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_FALSE(fs::exists(stalled));
  EXPECT_TRUE(fs::exists(fresh));
}

TEST_F(ApiCacheCommands, PrefetcherCachesQueuedActiveImagesAndKeepsTheRestQueued) {
  auto client = env_->client();
  const auto data = random_bytes(200000, 14);
  auto created = client.post("/v1/images", data,
                             {{"x-image-meta-name", "queued"},
                              {"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"},
                              {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  const std::string missing = "7a3e0f2b-9d4c-4e5f-a0b1-c3d4e5f6a7b8";
  ASSERT_EQ(client.put("/v1/queued_images/" + id, "").status, 200u);
  ASSERT_EQ(client.put("/v1/queued_images/" + missing, "").status, 200u);

  auto [rc, out] = command("glance-cache-prefetcher", "");
  EXPECT_EQ(rc, 1) << out;  // one of the two could not be prefetched
  EXPECT_TRUE(cached(id)) << out;
  EXPECT_EQ(client.get("/v1/queued_images").json()["queued_images"],
            nlohmann::json::array({missing}));
  // The prefetched copy answers without the store.
  fs::remove(fs::path(env_->datadir()) / id);
  EXPECT_EQ(client.get("/v1/images/" + id).body, data);
}

TEST_F(ApiCacheCommands, CommandsWithoutACacheDirectoryFail) {
  for (const std::string name :
       {"glance-cache-pruner", "glance-cache-cleaner", "glance-cache-prefetcher"}) {
    const auto binary = fs::path(api_binary()).parent_path() / name;
    const auto conf = fs::path(make_temp_dir("glance-cache-conf")) / "api.conf";
    write_file(conf, "[DEFAULT]\nimage_cache_max_size = 10\n");
    auto [rc, out] = Daemon::run(binary.string(), "--config-file " + conf.string());
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find("image_cache_dir"), std::string::npos) << out;
  }
}

// A caching flavor the api cannot honour stops it at start-up with a message.
TEST(ApiCacheConfig, ACachingFlavorWithoutCacheDirOrWithAnotherDriverDoesNotStart) {
  RegistryEnvironment registry;
  const std::string base =
      "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nregistry_host = "
      "127.0.0.1\nregistry_port = " +
      std::to_string(registry.daemon().port()) + "\n";
  const std::string store =
      "[glance_store]\nfilesystem_store_datadir = " + make_temp_dir("glance-api-store") + "\n";
  const std::string dir = "image_cache_dir = " + make_temp_dir("glance-image-cache") + "\n";
  struct Case {
    std::string options, flavor, complaint;
  };
  for (const Case& c :
       {Case{"", "keystone+caching", "image_cache_dir"}, Case{"", "caching", "image_cache_dir"},
        Case{dir + "image_cache_driver = xattr\n", "cachemanagement", "image_cache_driver"}}) {
    Daemon api(api_binary(),
               base + c.options + store + "[paste_deploy]\nflavor = " + c.flavor + "\n");
    EXPECT_ANY_THROW(api.start()) << c.flavor;
    EXPECT_NE(api.log().find(c.complaint), std::string::npos) << api.log();
  }
}

}  // namespace
}  // namespace glance::testing
