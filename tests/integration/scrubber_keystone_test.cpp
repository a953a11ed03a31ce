// glance-scrubber at a registry that validates tokens (flavor keystone): it authenticates with
// the api's registry credentials (use_user_token = False, admin_user...) as glance-api's own
// registry link does, and refused credentials scrub nothing.

#include "tests/support/api_fixture.h"
#include "tests/support/keystone_server.h"
#include "tests/support/scrubber_runner.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace glance::testing {
namespace {

std::string keystone_tail() {
  return "[paste_deploy]\nflavor = keystone\n" + keystone_authtoken_section();
}

std::string registry_admin(const std::string& password) {
  return "use_user_token = False\nauth_url = " + keystone_server().url +
         "/v3\nadmin_user = glance\nadmin_password = " + password +
         "\nadmin_tenant_name = service\n";
}

std::string registry_status(ApiEnvironment& env, const std::string& id) {
  HttpClient registry(env.registry().daemon().port(),
                      {{"X-Auth-Token", keystone_token("admin", "admin")}});
  auto r = registry.get("/images/" + id);
  return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
}

TEST(KeystoneScrubber, ScrubsWithTheRegistryLinksAdminToken) {
  ApiEnvironment env(false, registry_admin("glancepw") + "delayed_delete = True\n", "",
                     keystone_tail(), keystone_tail());
  auto alice = env.client({{"X-Auth-Token", keystone_token("alice", "alpha")}});
  auto r = alice.post("/v1/images", "secret bytes",
                      {{"x-image-meta-name", "doomed"},
                       {"x-image-meta-disk_format", "raw"},
                       {"x-image-meta-container_format", "bare"},
                       {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  std::string id = r.json()["image"]["id"];
  ASSERT_EQ(alice.del("/v1/images/" + id).status, 200u);
  ASSERT_EQ(registry_status(env, id), "pending_delete");
  const std::string file = env.datadir() + "/" + id;

  // Keystone refuses the password: the pass cannot list, and nothing is touched.
  auto refused = run_scrubber(env.api().config_path(), "[DEFAULT]\nadmin_password = wrong\n");
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("scrub pass failed"), std::string::npos) << refused.output;
  EXPECT_EQ(registry_status(env, id), "pending_delete");
  EXPECT_TRUE(std::filesystem::exists(file));

  auto run = run_scrubber(env.api().config_path(), "[DEFAULT]\n");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(registry_status(env, id), "deleted") << run.output;
  EXPECT_FALSE(std::filesystem::exists(file));
  // The removed locations' listing went through with the same token.
  EXPECT_NE(run.output.find("locations removed from images: 0 pending_delete"), std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace glance::testing
