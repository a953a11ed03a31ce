// python-openstackclient (`openstack image ...`, Debian's python3-openstackclient on
// openstacksdk), the CLI of today's operators, against glance-api's Images API v2 with flavor
// keystone: the CLI authenticates at a real Keystone and reaches the api through
// `image_endpoint_override` in its clouds.yaml (the test Keystone's catalog has no image
// service).

#include "tests/support/api_fixture.h"
#include "tests/support/daemon.h"
#include "tests/support/glance_cli.h"
#include "tests/support/keystone_server.h"
#include "tests/support/mariadb_server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <utility>

namespace glance::testing {
namespace {

class OpenStackClient : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnvironment>(
        true, "", "", "[paste_deploy]\nflavor = keystone\n" + keystone_authtoken_section());
    dir_ = make_temp_dir("glance-osc");
    std::ofstream clouds(dir_ + "/clouds.yaml");
    clouds << "clouds:\n";
    for (const auto& [user, project] : {std::pair{"alice", "alpha"}, std::pair{"bob", "beta"}})
      clouds << "  " << user << ":\n    auth:\n      auth_url: " << keystone_server().url
             << "/v3\n      username: " << user << "\n      password: " << user
             << "pw\n      project_name: " << project
             << "\n      user_domain_id: default\n      project_domain_id: default\n"
             << "    identity_api_version: 3\n    image_endpoint_override: http://127.0.0.1:"
             << env_->api().port() << "\n";
  }

  // `openstack` `args` as `user` (a cloud of the clouds.yaml): its exit code and its standard
  // output alone (warnings on stderr would spoil the JSON).
  std::pair<int, std::string> run(const std::string& user, const std::string& args) const {
    return Daemon::run(
        "{ OS_CLIENT_CONFIG_FILE=" + dir_ + "/clouds.yaml openstack --os-cloud " + user,
        args + " 2>" + dir_ + "/stderr <&-; }");
  }
  std::string stderr_text() const { return run_command("cat " + dir_ + "/stderr"); }
  // Fails the test unless the command succeeds; its JSON output (`-f json`).
  nlohmann::json json(const std::string& user, const std::string& args) const {
    auto [code, out] = run(user, args + " -f json");
    EXPECT_EQ(code, 0) << args << "\n" << out << stderr_text();
    return nlohmann::json::parse(out, nullptr, false);
  }
  void ok(const std::string& user, const std::string& args) const {
    auto [code, out] = run(user, args);
    EXPECT_EQ(code, 0) << args << "\n" << out << stderr_text();
  }

  std::unique_ptr<ApiEnvironment> env_;
  std::string dir_;
};

TEST_F(OpenStackClient, CreateListShowSaveDelete) {
  const std::string path = dir_ + "/disk.img";
  write_random_file(path, 3 * 1024 * 1024 + 5, 7);
  auto created = json("alice", "image create --disk-format raw --container-format bare --file " +
                                   path + " osc-disk");
  ASSERT_TRUE(created.is_object()) << created;
  const std::string id = created.value("id", "");
  ASSERT_EQ(id.size(), 36u) << created;
  EXPECT_EQ(created["owner"], keystone_server().alpha_project_id);

  auto listed = json("alice", "image list");
  ASSERT_TRUE(listed.is_array()) << listed;
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0]["ID"], id);
  EXPECT_EQ(listed[0]["Status"], "active");

  auto shown = json("alice", "image show " + id);
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["size"], 3 * 1024 * 1024 + 5);
  EXPECT_EQ(shown["checksum"], md5_of_file(path));
  EXPECT_EQ(shown["properties"]["os_hash_algo"], "sha256");
  EXPECT_EQ(shown["properties"]["os_hash_value"], run_command("sha256sum " + path).substr(0, 64));
  EXPECT_EQ(shown["visibility"], "shared");  // v2's default since Ocata

  const std::string saved = dir_ + "/saved.img";
  ok("alice", "image save --file " + saved + " " + id);
  EXPECT_EQ(md5_of_file(saved), md5_of_file(path));

  // Another project sees nothing of it.
  EXPECT_TRUE(json("bob", "image list").empty());
  EXPECT_NE(run("bob", "image show " + id).first, 0);
  EXPECT_NE(run("bob", "image delete " + id).first, 0);

  ok("alice", "image delete " + id);
  EXPECT_TRUE(json("alice", "image list").empty());
  EXPECT_NE(run("alice", "image show " + id).first, 0);
}

TEST_F(OpenStackClient, SetPropertiesShareAcceptAndSaveAsTheMember) {
  const std::string path = dir_ + "/shared.img";
  write_random_file(path, 1024 * 1024 + 1, 8);
  auto created = json("alice", "image create --disk-format qcow2 --container-format bare --file " +
                                   path + " --property hw_disk_bus=virtio osc-shared");
  const std::string id = created.value("id", "");
  ASSERT_EQ(id.size(), 36u) << created;

  // `image set` sends a JSON patch.
  ok("alice", "image set --property os_distro=cirros --min-disk 2 --tag golden " + id);
  ok("alice", "image unset --property hw_disk_bus " + id);
  auto shown = json("alice", "image show " + id);
  EXPECT_EQ(shown["properties"]["os_distro"], "cirros") << shown;
  EXPECT_FALSE(shown["properties"].contains("hw_disk_bus")) << shown;
  EXPECT_EQ(shown["min_disk"], 2);
  EXPECT_EQ(shown["tags"], nlohmann::json::array({"golden"}));

  // Sharing: alice adds bob's project; bob sees the image once he accepts it.
  ok("alice", "image add project " + id + " " + keystone_server().beta_project_id);
  EXPECT_TRUE(json("bob", "image list").empty());
  ok("bob", "image set --accept " + id);
  auto bobs = json("bob", "image list");
  ASSERT_EQ(bobs.size(), 1u) << bobs;
  EXPECT_EQ(bobs[0]["ID"], id);
  const std::string saved = dir_ + "/bob.img";
  ok("bob", "image save --file " + saved + " " + id);
  EXPECT_EQ(md5_of_file(saved), md5_of_file(path));
  // A member may not change the image, nor delete it.
  EXPECT_NE(run("bob", "image set --property owned=no " + id).first, 0);
  EXPECT_NE(run("bob", "image delete " + id).first, 0);
  // Rejected, it leaves bob's list again; removed, bob cannot read it at all.
  ok("bob", "image set --reject " + id);
  EXPECT_TRUE(json("bob", "image list").empty());
  ok("alice", "image remove project " + id + " " + keystone_server().beta_project_id);
  EXPECT_NE(run("bob", "image show " + id).first, 0);
  ok("alice", "image delete " + id);
}

TEST_F(OpenStackClient, WrongPasswordGetsNothing) {
  std::ofstream(dir_ + "/clouds.yaml", std::ios::app)
      << "  mallory:\n    auth:\n      auth_url: " << keystone_server().url
      << "/v3\n      username: alice\n      password: wrong\n      project_name: alpha\n"
      << "      user_domain_id: default\n      project_domain_id: default\n"
      << "    image_endpoint_override: http://127.0.0.1:" << env_->api().port() << "\n";
  auto [code, out] = run("mallory", "image list");
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(stderr_text().find("401"), std::string::npos) << stderr_text();
}

}  // namespace
}  // namespace glance::testing
