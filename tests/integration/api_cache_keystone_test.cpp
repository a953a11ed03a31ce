// glance-api with flavor keystone+cachemanagement against the Keystone fixture: a member's
// download fills the cache, the member is refused the management routes, and upstream's
// glance-cache-manage with an admin token lists and deletes the copy. Against a registry that
// validates tokens too, the api's prefetch job and glance-cache-prefetcher ask it as the
// [keystone_authtoken] service user.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

TEST(KeystoneCacheManagement, TokensDecideWhoManagesTheCache) {
  const auto cache_dir = make_temp_dir("glance-image-cache");
  ApiEnvironment env(
      true, "image_cache_dir = " + cache_dir, "",
      "[paste_deploy]\nflavor = keystone+cachemanagement\n" + keystone_authtoken_section());
  const auto alice_token = keystone_token("alice", "alpha");
  const auto admin_token = keystone_token("admin", "admin");
  HttpClient alice = env.client({{"X-Auth-Token", alice_token}});
  const auto data = random_bytes(120000, 31);
  auto created = alice.post("/v1/images", data,
                            {{"x-image-meta-name", "keystone-cached"},
                             {"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  ASSERT_EQ(alice.get("/v1/images/" + id).body, data);
  ASSERT_TRUE(eventually([&] { return fs::exists(fs::path(cache_dir) / id); }));

  EXPECT_EQ(alice.get("/v2/cached_images").status, 403u);
  EXPECT_EQ(alice.del("/v1/cached_images/" + id).status, 403u);
  EXPECT_EQ(env.client().get("/v2/cached_images").status, 401u);  // no token

  const std::string cli = "-H 127.0.0.1 -p " + std::to_string(env.api().port()) +
                          " --os-auth-token " + admin_token + " ";
  auto [rc, out] =
      Daemon::run("/usr/bin/python3 /usr/bin/glance-cache-manage", cli + "list-cached");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(id), std::string::npos) << out;
  std::tie(rc, out) = Daemon::run("/usr/bin/python3 /usr/bin/glance-cache-manage",
                                  cli + "-f delete-cached-image " + id);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_FALSE(fs::exists(fs::path(cache_dir) / id));
  // A bad token is refused before any cache work.
  std::tie(rc, out) = Daemon::run("/usr/bin/python3 /usr/bin/glance-cache-manage",
                                  "-H 127.0.0.1 -p " + std::to_string(env.api().port()) +
                                      " --os-auth-token not-a-token list-cached");
  EXPECT_NE(rc, 0) << out;
}

TEST(KeystoneCachePrefetch, TheJobAndTheCommandAskTheRegistryAsTheServiceUser) {
  using namespace std::chrono_literals;
  const auto cache_dir = make_temp_dir("glance-image-cache");
  const auto section = keystone_authtoken_section();
  ApiEnvironment env(false,
                     "image_cache_dir = " + cache_dir + "\nimage_cache_prefetch_interval = 1\n", "",
                     "[paste_deploy]\nflavor = keystone+cachemanagement\n" + section,
                     "[paste_deploy]\nflavor = keystone\n" + section);
  HttpClient alice = env.client({{"X-Auth-Token", keystone_token("alice", "alpha")}});
  HttpClient admin = env.client({{"X-Auth-Token", keystone_token("admin", "admin")}});
  auto create = [&](const std::string& data) {
    auto created = alice.post("/v1/images", data,
                              {{"x-image-meta-name", "prefetched"},
                               {"x-image-meta-disk_format", "raw"},
                               {"x-image-meta-container_format", "bare"},
                               {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(created.status, 201u) << created.body;
    return created.json()["image"]["id"].get<std::string>();
  };
  const auto cached = [&](const std::string& id) { return fs::exists(fs::path(cache_dir) / id); };
  const auto queued = [&](const std::string& id) {
    return fs::exists(fs::path(cache_dir) / "queue" / id);
  };
  const auto data = random_bytes(90000, 32);
  const auto id = create(data);  // alice's private image
  // The registry refuses calls without a token: the job's must carry one.
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/images/" + id).status, 401u);
  ASSERT_EQ(admin.put("/v1/queued_images/" + id, "").status, 200u);
  EXPECT_TRUE(eventually([&] { return cached(id) && !queued(id); }, 60s)) << env.api().log();
  EXPECT_EQ(env.api().log().find("could not prefetch"), std::string::npos) << env.api().log();
  const auto other_data = random_bytes(70000, 33);
  const auto other = create(other_data);
  ASSERT_EQ(env.api().stop(), 0);

  // The command, on the api's config file, with the api stopped (no job competes for the
  // queue, to which the file below adds what PUT /v1/queued_images/{id} would).
  std::ofstream(fs::path(cache_dir) / "queue" / other).flush();
  const auto prefetcher =
      (fs::path(api_binary()).parent_path() / "glance-cache-prefetcher").string();
  // A refused service user fetches nothing and says why.
  const auto wrong = fs::path(make_temp_dir("glance-cache-conf")) / "wrong.conf";
  std::ofstream(wrong) << "[keystone_authtoken]\npassword = wrong\n";
  auto [rc, out] = Daemon::run(
      prefetcher, "--config-file " + env.api().config_path() + " --config-file " + wrong.string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("no token for the service user"), std::string::npos) << out;
  EXPECT_TRUE(queued(other));
  std::tie(rc, out) = Daemon::run(prefetcher, "--config-file " + env.api().config_path());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(cached(other)) << out;
  EXPECT_FALSE(queued(other));
}

}  // namespace
}  // namespace glance::testing
