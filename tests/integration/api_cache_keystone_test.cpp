// glance-api with flavor keystone+cachemanagement against the Keystone fixture: a member's
// download fills the cache, the member is refused the management routes, and upstream's
// glance-cache-manage with an admin token lists and deletes the copy.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace glance::testing
