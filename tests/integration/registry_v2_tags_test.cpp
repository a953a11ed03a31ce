// The registry's /v2/images/{id}/tags/{tag}: one tag added or removed in its own transaction,
// image_tag_quota as glance-api sends it, visibility and ownership, on a real MariaDB.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

class RegistryV2Tags : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { guarded_suite_setup(seed, &setup_error_); }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }
  static void TearDownTestSuite() { delete env_; }
  static HttpClient as(const std::string& tenant, const std::string& roles = "member") {
    return HttpClient(env_->daemon().port(), identity(tenant, roles));
  }
  static std::string create(const std::string& tenant, json image) {
    auto r = as(tenant).post("/v2/images", json{{"image", image}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  }
  static void seed() { env_ = new RegistryEnvironment("[paste_deploy]\nflavor = trusted-auth\n"); }
  static json image(const std::string& id) {
    return as("t1").get("/v2/images/" + id).json()["image"];
  }

  static inline RegistryEnvironment* env_ = nullptr;
  static inline std::string setup_error_;
};

TEST_F(RegistryV2Tags, AddsAndRemovesOneTagTouchingTheImage) {
  std::string id = create("t1", {{"name", "tags"}, {"visibility", "private"}, {"tags", {"a"}}});
  const std::string before = image(id)["updated_at"];
  const std::string tags = "/v2/images/" + id + "/tags/";
  auto added = as("t1").put(tags + "b", "");
  EXPECT_EQ(added.status, 204u) << added.body;
  EXPECT_EQ(as("t1").put(tags + "b", "").status, 204u);
  EXPECT_EQ(as("t1").put(tags + "B", "").status, 204u);
  EXPECT_EQ(image(id)["tags"], json({"B", "a", "b"}));
  EXPECT_NE(image(id)["updated_at"], before);
  EXPECT_EQ(as("t1").del(tags + "a").status, 204u);
  auto absent = as("t1").del(tags + "a");
  EXPECT_EQ(absent.status, 404u);
  EXPECT_NE(absent.body.find("Tag not found."), std::string::npos) << absent.body;
  EXPECT_EQ(image(id)["tags"], json({"B", "b"}));
  // An admin changes anybody's tags.
  EXPECT_EQ(as("t9", "admin").put(tags + "admin", "").status, 204u);
  EXPECT_EQ(image(id)["tags"], json({"B", "admin", "b"}));
}

TEST_F(RegistryV2Tags, QuotaCountsEveryTagAndAnExistingTagStillPassesBelowIt) {
  std::string id = create("t1", {{"name", "quota"}, {"tags", {"one", "two"}}});
  const std::string tags = "/v2/images/" + id + "/tags/";
  auto client = as("t1");
  auto over = client.put(tags + "three", "", {{"X-Image-Tag-Quota", "2"}});
  EXPECT_EQ(over.status, 413u) << over.body;
  EXPECT_NE(over.body.find("Attempted: 3, Maximum: 2"), std::string::npos) << over.body;
  EXPECT_EQ(client.put(tags + "two", "", {{"X-Image-Tag-Quota", "2"}}).status, 204u);
  // As upstream, a tag already there is refused too once the image is past a lowered quota.
  EXPECT_EQ(client.put(tags + "two", "", {{"X-Image-Tag-Quota", "1"}}).status, 413u);
  EXPECT_EQ(client.put(tags + "three", "", {{"X-Image-Tag-Quota", "3"}}).status, 204u);
  for (const char* bad : {"-1", "many", "", "2x", "99999999999999999999"})
    EXPECT_EQ(client.put(tags + "four", "", {{"X-Image-Tag-Quota", bad}}).status, 400u) << bad;
  EXPECT_EQ(image(id)["tags"], json({"one", "three", "two"}));
}

TEST_F(RegistryV2Tags, OthersCannotChangeTagsNorLearnOfPrivateImages) {
  std::string hidden = create("t1", {{"name", "private"}, {"visibility", "private"}});
  std::string open = create("t1", {{"name", "public"}, {"visibility", "public"}, {"tags", {"x"}}});
  EXPECT_EQ(as("t2").put("/v2/images/" + hidden + "/tags/y", "").status, 404u);
  EXPECT_EQ(as("t2").put("/v2/images/" + open + "/tags/y", "").status, 403u);
  EXPECT_EQ(as("t2").del("/v2/images/" + open + "/tags/x").status, 403u);
  EXPECT_EQ(as("t2").put("/v2/images/6f1c3e5a-0000-4000-8000-000000000000/tags/y", "").status,
            404u);
  EXPECT_EQ(as("t2").put("/v2/images/" + std::string(100, 'f') + "/tags/y", "").status, 404u);
  EXPECT_EQ(image(open)["tags"], json({"x"}));
  // A deleted image's tags are gone with it, for admins too.
  ASSERT_EQ(as("t1").del("/v2/images/" + open).status, 200u);
  EXPECT_EQ(as("t9", "admin").put("/v2/images/" + open + "/tags/z", "").status, 404u);
  EXPECT_EQ(as("t9", "admin").del("/v2/images/" + open + "/tags/x").status, 404u);
}

}  // namespace
}  // namespace glance::testing
