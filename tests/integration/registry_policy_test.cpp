// glance-registry reads [oslo_policy] for context_is_admin, as upstream's registry context
// middleware does: a role the policy makes admin sees every tenant's images.

#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(RegistryPolicy, ContextIsAdminFromThePolicyFileMakesAdmins) {
  const std::string dir = make_temp_dir("registry-policy");
  const std::string policy = dir + "/policy.yaml";
  write_file(policy, "\"context_is_admin\": \"role:admin\"\n");
  RegistryEnvironment env(
      "[paste_deploy]\nflavor = trusted-auth\n[oslo_policy]\npolicy_file = " + policy + "\n");
  HttpClient owner(env.daemon().port(), identity("tenant-a"));
  auto created = owner.post("/images", nlohmann::json{{"image", {{"name", "private"}}}}.dump());
  ASSERT_EQ(created.status, 200u) << created.body;
  std::string id = created.json()["image"]["id"];

  HttpClient boss(env.daemon().port(), identity("tenant-b", "registry_boss"));
  HttpClient member(env.daemon().port(), identity("tenant-b", "member"));
  HttpClient admin(env.daemon().port(), identity("tenant-b", "admin"));
  EXPECT_EQ(boss.get("/images/" + id).status, 404u);  // not admin under this policy
  EXPECT_EQ(admin.get("/images/" + id).status, 200u);

  // The file is read again once it changes: now registry_boss is admin too.
  write_file(policy, "\"context_is_admin\": \"role:admin or role:registry_boss\"\n");
  EXPECT_TRUE(eventually([&] { return boss.get("/images/" + id).status == 200; }, 30s));
  auto listed = boss.get("/images/detail?is_public=none");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(listed.json()["images"].size(), 1u);
  EXPECT_EQ(boss.del("/images/" + id).status, 200u);
  // Other roles of the same tenant are not.
  auto again = owner.post("/images", nlohmann::json{{"image", {{"name", "p2"}}}}.dump());
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(member.get("/images/" + again.json()["image"]["id"].get<std::string>()).status, 404u);
}

TEST(RegistryPolicy, APolicyFileThatDoesNotParseStopsStartUp) {
  const std::string dir = make_temp_dir("registry-policy-bad");
  const std::string policy = dir + "/policy.json";
  write_file(policy, "{\"context_is_admin\": ");
  Daemon registry(registry_binary(),
                  registry_config("mysql://nobody@127.0.0.1:1/none",
                                  "[oslo_policy]\npolicy_file = " + policy + "\n"));
  try {
    registry.start();
    ADD_FAILURE() << "glance-registry started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("policy"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace glance::testing
