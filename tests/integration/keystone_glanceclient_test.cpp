// python-glanceclient's v1 CLI with real Keystone credentials (--os-auth-url, --os-username,
// ...), not a fixed token, against glance-api with flavor keystone: the CLI gets its token
// from Keystone and the api validates it.

#include "tests/support/api_fixture.h"
#include "tests/support/glance_cli.h"
#include "tests/support/keystone_server.h"
#include "tests/support/mariadb_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace glance::testing {
namespace {

class KeystoneGlanceClient : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnvironment>(
        true, "", "", "[paste_deploy]\nflavor = keystone\n" + keystone_authtoken_section());
    dir_ = make_temp_dir("glance-cli-keystone");
  }

  // The CLI as `user` of `project`, with a password: it authenticates at Keystone itself.
  std::string cli(const std::string& user, const std::string& project,
                  const std::string& password) const {
    return glance_cli("http", env_->api().port(),
                      "--os-auth-url " + keystone_server().url + "/v3 --os-username " + user +
                          " --os-password " + password + " --os-project-name " + project +
                          " --os-user-domain-id default --os-project-domain-id default");
  }
  std::string glance(const std::string& user, const std::string& project, const std::string& args) {
    return run_glance_cli(cli(user, project, user + "pw"), args);
  }

  std::unique_ptr<ApiEnvironment> env_;
  std::string dir_;
};

TEST_F(KeystoneGlanceClient, CreateListShowDownloadShareDelete) {
  const std::string path = dir_ + "/disk.img";
  write_random_file(path, 1024 * 1024 + 3, 42);
  auto created = parse_cli_table(glance("alice", "alpha",
                                        "image-create --name alice-disk --disk-format raw "
                                        "--container-format bare --file " +
                                            path));
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["owner"], keystone_server().alpha_project_id);
  EXPECT_EQ(created["checksum"], md5_of_file(path));
  std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);

  EXPECT_NE(glance("alice", "alpha", "image-list").find(id), std::string::npos);
  // Bob's project sees nothing of it, until alice shares it.
  EXPECT_EQ(glance("bob", "beta", "image-list").find(id), std::string::npos);
  auto [code, out] = Daemon::run(cli("bob", "beta", "bobpw"), "image-show " + id + " <&-");
  EXPECT_NE(code, 0) << out;

  EXPECT_EQ(
      glance("alice", "alpha", "member-create " + id + " " + keystone_server().beta_project_id),
      "");
  auto shown = parse_cli_table(glance("bob", "beta", "image-show " + id));
  EXPECT_EQ(shown["name"], "alice-disk");
  std::string downloaded = dir_ + "/downloaded.img";
  EXPECT_EQ(glance("bob", "beta", "image-download --file " + downloaded + " " + id), "");
  EXPECT_EQ(md5_of_file(downloaded), md5_of_file(path));
  // A member may not delete it (the v1 CLI reports that but exits 0); the owner may.
  std::tie(code, out) = Daemon::run(cli("bob", "beta", "bobpw"), "image-delete " + id + " <&-");
  EXPECT_NE(out.find("Unable to delete image"), std::string::npos) << out;
  EXPECT_EQ(parse_cli_table(glance("alice", "alpha", "image-show " + id))["status"], "active");
  EXPECT_EQ(glance("alice", "alpha", "image-delete " + id), "");
  EXPECT_EQ(glance("alice", "alpha", "image-list").find(id), std::string::npos);
}

TEST_F(KeystoneGlanceClient, WrongPasswordGetsNothing) {
  auto [code, out] = Daemon::run(cli("alice", "alpha", "wrong"), "image-list <&-");
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("401"), std::string::npos) << out;  // Keystone's refusal
  // And a token the CLI was handed by hand that Keystone never issued is refused by the api.
  std::tie(code, out) = Daemon::run(
      glance_cli("http", env_->api().port(), "--os-auth-token gAAAAAforged"), "image-list <&-");
  EXPECT_NE(code, 0) << out;
  // glanceclient's words for the api's 401.
  EXPECT_NE(out.find("Invalid OpenStack Identity credentials"), std::string::npos) << out;
}

}  // namespace
}  // namespace glance::testing
