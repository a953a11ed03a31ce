// python-glanceclient's v2 CLI (Debian's python3-glanceclient) against the real daemons in
// the noauth flavor: it reads /v2/schemas/image to build its options, creates, lists (page
// by page through `next`), shows and deletes, and reads an image made through v1.

#include "tests/support/api_fixture.h"
#include "tests/support/glance_cli.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <map>

namespace glance::testing {
namespace {

class GlanceClientV2 : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnvironment>();
    cli_ = "glance --os-image-api-version 2 --os-image-url http://127.0.0.1:" +
           std::to_string(env_->api().port()) + " --os-auth-token fake";
  }
  // One CLI command with stdin closed (the CLI uploads whatever a non-terminal stdin holds).
  std::string glance(const std::string& args, int expected_code = 0) {
    auto [code, out] = Daemon::run(cli_, args + " <&-");
    EXPECT_EQ(code, expected_code) << args << "\n" << out;
    return out;
  }

  std::unique_ptr<ApiEnvironment> env_;
  std::string cli_;
};

TEST_F(GlanceClientV2, CreateListShowDeleteAndReadV1Images) {
  auto created = parse_cli_table(
      glance("image-create --name v2-cli --disk-format qcow2 --container-format bare "
             "--visibility private --min-ram 128 --tags x86 --property os_distro=cirros"));
  std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(created["status"], "queued");
  EXPECT_EQ(created["visibility"], "private");
  EXPECT_EQ(created["min_ram"], "128");
  EXPECT_EQ(created["os_distro"], "cirros");
  EXPECT_EQ(created["tags"], "[\"x86\"]");

  // One through v1, with data.
  auto v1 = HttpClient(env_->api().port())
                .post("/v1/images", "0123456789",
                      {{"x-image-meta-name", "v1-made"},
                       {"x-image-meta-disk_format", "raw"},
                       {"x-image-meta-container_format", "bare"},
                       {"x-image-meta-is_public", "True"},
                       {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  std::string v1_id = v1.json()["image"]["id"];
  auto v1_shown = parse_cli_table(glance("image-show " + v1_id));
  EXPECT_EQ(v1_shown["name"], "v1-made");
  EXPECT_EQ(v1_shown["visibility"], "public");
  EXPECT_EQ(v1_shown["status"], "active");
  EXPECT_EQ(v1_shown["size"], "10");
  EXPECT_EQ(v1_shown["checksum"], v1.json()["image"]["checksum"]);
  EXPECT_EQ(v1_shown["os_hash_algo"], "sha256");

  // Pages of one: the CLI follows `next` until the list ends.
  for (int i = 0; i < 3; ++i)
    glance("image-create --name paged-" + std::to_string(i) + " --visibility shared");
  auto listed = glance("image-list --page-size 1 --sort-key name --sort-dir asc");
  for (const std::string& name : {"v2-cli", "v1-made", "paged-0", "paged-1", "paged-2"})
    EXPECT_NE(listed.find("| " + name), std::string::npos) << name << "\n" << listed;
  EXPECT_LT(listed.find("| paged-0"), listed.find("| paged-2")) << listed;
  auto filtered = glance("image-list --tag x86");
  EXPECT_NE(filtered.find(id), std::string::npos) << filtered;
  EXPECT_EQ(filtered.find(v1_id), std::string::npos) << filtered;

  auto shown = parse_cli_table(glance("image-show " + id));
  EXPECT_EQ(shown["name"], "v2-cli");
  EXPECT_EQ(shown["disk_format"], "qcow2");

  EXPECT_EQ(glance("image-delete " + id), "");
  auto missing = glance("image-show " + id, 1);
  EXPECT_NE(missing.find("No image found with ID"), std::string::npos) << missing;
}

// image-update sends a JSON patch (v2.1 media type) built from the image schema.
TEST_F(GlanceClientV2, UpdatePatchesPropertiesAndAttributes) {
  auto created = parse_cli_table(
      glance("image-create --name v2-upd --disk-format raw --container-format bare --property a=1 "
             "--property b=2"));
  std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  auto updated = parse_cli_table(glance("image-update " + id +
                                        " --name v2-upd2 --min-disk 4 --property a=one --property "
                                        "c=3 --remove-property b"));
  EXPECT_EQ(updated["name"], "v2-upd2");
  EXPECT_EQ(updated["min_disk"], "4");
  EXPECT_EQ(updated["a"], "one");
  EXPECT_EQ(updated["c"], "3");
  EXPECT_EQ(updated.count("b"), 0u);
  auto shown = parse_cli_table(glance("image-show " + id));
  EXPECT_EQ(shown["a"], "one");
  EXPECT_EQ(shown.count("b"), 0u);
  // v1 reads the same properties.
  auto head = HttpClient(env_->api().port()).head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-property-c"), std::optional<std::string>("3"));
  EXPECT_FALSE(head.header("x-image-meta-property-b"));
  // A read-only attribute is refused and nothing changes.
  auto refused = glance("image-update " + id + " --property status=active", 1);
  EXPECT_NE(refused.find("403"), std::string::npos) << refused;
  EXPECT_EQ(parse_cli_table(glance("image-show " + id))["status"], "queued");
}

// Tags one at a time, deactivate and reactivate (the noauth context is admin), and the
// discovery commands' answers for a site without import or multiple stores.
TEST_F(GlanceClientV2, TagsActionsAndDiscovery) {
  auto v1 = HttpClient(env_->api().port())
                .post("/v1/images", "0123456789",
                      {{"x-image-meta-name", "cli-extras"},
                       {"x-image-meta-disk_format", "raw"},
                       {"x-image-meta-container_format", "bare"},
                       {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  std::string id = v1.json()["image"]["id"];
  // The CLI answers with a one-row list of the image's id and tags.
  auto tagged = glance("image-tag-update " + id + " blue");
  EXPECT_NE(tagged.find(id), std::string::npos) << tagged;
  EXPECT_NE(tagged.find("blue"), std::string::npos) << tagged;
  glance("image-tag-update " + id + " green");
  EXPECT_EQ(parse_cli_table(glance("image-show " + id))["tags"], "[\"blue\", \"green\"]");
  glance("image-tag-delete " + id + " blue");
  auto again = glance("image-tag-delete " + id + " blue", 1);
  EXPECT_NE(again.find("404"), std::string::npos) << again;
  EXPECT_EQ(parse_cli_table(glance("image-show " + id))["tags"], "[\"green\"]");

  glance("image-deactivate " + id);
  EXPECT_EQ(parse_cli_table(glance("image-show " + id))["status"], "deactivated");
  glance("image-reactivate " + id);
  EXPECT_EQ(parse_cli_table(glance("image-show " + id))["status"], "active");

  auto import = glance("import-info", 1);
  EXPECT_NE(import.find("Target Glance does not support Image Import workflow"), std::string::npos)
      << import;
  auto stores = glance("stores-info", 1);
  EXPECT_NE(stores.find("Multi Backend support is not enabled"), std::string::npos) << stores;
}

TEST_F(GlanceClientV2, MemberCreateUpdateListDelete) {
  auto created = parse_cli_table(glance("image-create --name cli-shared --visibility shared"));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u);
  auto added = glance("member-create " + id + " tenant-b");
  EXPECT_NE(added.find("| " + id + " | tenant-b  | pending"), std::string::npos) << added;
  // The caller here is an admin (no authentication), who may answer for the member.
  auto updated = glance("member-update " + id + " tenant-b accepted");
  EXPECT_NE(updated.find("| tenant-b  | accepted"), std::string::npos) << updated;
  auto listed = glance("member-list --image-id " + id);
  EXPECT_NE(listed.find("| " + id + " | tenant-b  | accepted"), std::string::npos) << listed;
  auto bad = glance("member-update " + id + " tenant-b maybe", 2);
  EXPECT_NE(bad.find("invalid choice"), std::string::npos) << bad;
  auto twice = glance("member-create " + id + " tenant-b", 1);
  EXPECT_NE(twice.find("409"), std::string::npos) << twice;
  EXPECT_EQ(glance("member-delete " + id + " tenant-b"), "");
  listed = glance("member-list --image-id " + id);
  EXPECT_EQ(listed.find("tenant-b"), std::string::npos) << listed;
}

// location-add, location-update and location-delete with show_multiple_locations on (the
// noauth context holds the location rules), the data at a real HTTP server.
TEST(GlanceClientV2Locations, AddUpdateAndDeleteLocations) {
  SourceServer source;
  source.put("/one", random_bytes(1000, 1));
  source.put("/two", random_bytes(1000, 2));
  ApiEnvironment env(false, "show_multiple_locations = true\n", "stores = file, http\n");
  const std::string cli = "glance --os-image-api-version 2 --os-image-url http://127.0.0.1:" +
                          std::to_string(env.api().port()) + " --os-auth-token fake";
  auto glance = [&cli](const std::string& args, int expected_code = 0) {
    auto [code, out] = Daemon::run(cli, args + " <&-");
    EXPECT_EQ(code, expected_code) << args << "\n" << out;
    return out;
  };
  const std::string one = source.url("/one"), two = source.url("/two");
  std::string id = parse_cli_table(
      glance("image-create --name loc-cli --disk-format raw --container-format bare"))["id"];
  ASSERT_EQ(id.size(), 36u);
  // The CLI's table wraps long values: the locations are read from the api itself.
  auto locations = [&] {
    const auto shown = HttpClient(env.api().port()).get("/v2/images/" + id).json();
    return shown["locations"];
  };
  auto added = parse_cli_table(
      glance("location-add --url " + one + " --metadata '{\"zone\": \"a\"}' " + id));
  EXPECT_EQ(added["status"], "active");
  EXPECT_EQ(added["size"], "1000");
  glance("location-add --url " + two + " " + id);
  glance("location-update --url " + two + " --metadata '{\"zone\": \"b\"}' " + id);
  EXPECT_EQ(locations(), nlohmann::json::parse(R"([{"url": ")" + one +
                                               R"(", "metadata": {"zone": "a"}}, {"url": ")" + two +
                                               R"(", "metadata": {"zone": "b"}}])"));
  // A file url is refused; the last location stays.
  EXPECT_NE(glance("location-add --url file:///etc/passwd " + id, 1).find("Invalid location"),
            std::string::npos);
  glance("location-delete --url " + one + " " + id);
  EXPECT_NE(glance("location-delete --url " + two + " " + id, 1).find("403"), std::string::npos);
  EXPECT_EQ(locations(),
            nlohmann::json::parse(R"([{"url": ")" + two + R"(", "metadata": {"zone": "b"}}])"));
  EXPECT_EQ(HttpClient(env.api().port()).get("/v2/images/" + id + "/file").body,
            random_bytes(1000, 2));
}

}  // namespace
}  // namespace glance::testing
