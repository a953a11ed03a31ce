// glance-api's own dealings with a real Keystone: the registry link's token when
// use_user_token is off, and the orphan reaper's calls to a registry that validates tokens.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/raw_connection.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <iterator>

namespace glance::testing {
namespace {

const std::string kKeystoneFlavor = "[paste_deploy]\nflavor = keystone\n";

std::string keystone_tail(int port = 0, const std::string& extra = "") {
  return kKeystoneFlavor + keystone_authtoken_section(port, extra);
}

std::string registry_admin(const std::string& password) {
  return "use_user_token = False\nauth_url = " + keystone_server().url +
         "/v3\nadmin_user = glance\nadmin_password = " + password +
         "\nadmin_tenant_name = service\n";
}

HeaderList with_token(const std::string& token) {
  return {{"X-Auth-Token", token}};
}

TEST(KeystoneRegistryLink, WithoutUserTokensTheApiActsWithItsOwnAdminToken) {
  // Both daemons validate tokens; the registry sees the api's token (glance, an admin), never
  // the caller's, as upstream's use_user_token = False does.
  ApiEnvironment env(false, registry_admin("glancepw"), "", keystone_tail(), keystone_tail());
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  auto r = alice.post("/v1/images", "", {{"x-image-meta-name", "linked"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  // The api still names the caller's project as owner.
  EXPECT_EQ(r.json()["image"]["owner"], keystone_server().alpha_project_id);
  std::string id = r.json()["image"]["id"];
  // The registry applies the admin's visibility: bob sees alice's private image through the
  // api, which he would not with his own token at the registry.
  auto bob = env.client(with_token(keystone_token("bob", "beta")));
  EXPECT_EQ(bob.head("/v1/images/" + id).status, 200u);
  // The caller's token is still validated by the api.
  EXPECT_EQ(env.client(with_token("bogus")).get("/v1/images").status, 401u);
}

TEST(KeystoneRegistryLink, RefusedAdminCredentialsAre503NotAnotherIdentity) {
  ApiEnvironment env(false, registry_admin("wrong"), "", keystone_tail(), keystone_tail());
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  auto r = alice.get("/v1/images");
  EXPECT_EQ(r.status, 503u) << r.body;
  EXPECT_EQ(alice.post("/v1/images", "", {{"x-image-meta-name", "x"}}).status, 503u);
}

// The image's status as the registry tells an admin, "?" when it does not answer 200.
std::string registry_status(ApiEnvironment& env, const std::string& id) {
  HttpClient registry(env.registry().daemon().port(), with_token(keystone_token("admin", "admin")));
  auto r = registry.get("/images/" + id);
  return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
}

TEST(KeystoneOrphanReaper, KillsADeadUploadAtARegistryThatValidatesTokens) {
  using namespace std::chrono_literals;
  ApiEnvironment env(false, "upload_orphan_timeout = 2\n", "", keystone_tail(), keystone_tail());
  const std::string alice = keystone_token("alice", "alpha");
  auto created = env.client(with_token(alice))
                     .post("/v1/images", "",
                           {{"x-image-meta-name", "orphan"},
                            {"x-image-meta-disk_format", "raw"},
                            {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  // The registry refuses calls without a token: the reaper's must carry one.
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/images/" + id).status, 401u);
  {
    RawConnection upload(env.api().port());
    ASSERT_TRUE(upload.send("PUT /v1/images/" + id +
                            " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + alice +
                            "\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Length: 90000\r\n\r\n" +
                            std::string(30000, 'p')));
    ASSERT_TRUE(eventually([&] { return registry_status(env, id) == "saving"; }, 30s));
    ASSERT_TRUE(eventually([&] { return env.stored_files() == 1; }, 20s));
    env.api().signal(SIGKILL);
    ASSERT_EQ(env.api().wait_exit(20s), 128 + SIGKILL);
  }
  std::ifstream config_file(env.api().config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)),
                           std::istreambuf_iterator<char>());
  Daemon restarted(api_binary(), config);
  restarted.start();
  EXPECT_TRUE(eventually([&] { return registry_status(env, id) == "killed"; }, 60s))
      << registry_status(env, id) << "\n"
      << restarted.log();
  EXPECT_TRUE(eventually([&] { return env.stored_files() == 0; }, 20s));
  EXPECT_EQ(restarted.log().find("orphan reaper cannot list"), std::string::npos)
      << restarted.log();
}

}  // namespace
}  // namespace glance::testing
