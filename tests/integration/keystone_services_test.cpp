// glance-api's own dealings with a real Keystone: the registry link's token when
// use_user_token is off.

#include "tests/support/api_fixture.h"
#include "tests/support/keystone_server.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace glance::testing
