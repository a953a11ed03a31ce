// Members and shared images through glance-api (keystone flavor, identities forwarded to a
// trusted-auth registry): three tenants and an admin, every refusal upstream's member routes give.

#include "tests/support/api_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

class ApiMembers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(true, "image_member_quota = 3"); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  // A private image of alice's with data.
  std::string alice_image(const std::string& data = "shared bytes") {
    auto r = alice_.post("/v1/images", data,
                         {{"x-image-meta-name", "private"},
                          {"x-image-meta-disk_format", "raw"},
                          {"x-image-meta-container_format", "bare"},
                          {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  static std::string members(const std::string& id) { return "/v1/images/" + id + "/members"; }

  static ApiEnvironment* env_;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient bob_ = env_->client(identity("tenant-b", "member", "bob"));
  HttpClient carol_ = env_->client(identity("tenant-c", "member", "carol"));
  HttpClient admin_ = env_->client(identity("tenant-admin", "admin", "root"));
  // Authenticated, but with no tenant: no owner id.
  HttpClient ownerless_ = env_->client(
      {{"X-Identity-Status", "Confirmed"}, {"X-User-Id", "drifter"}, {"X-Roles", "member"}});
};
ApiEnvironment* ApiMembers::env_ = nullptr;

bool lists(const HttpClient& c, const std::string& id) {
  auto r = c.get("/v1/images/detail");
  EXPECT_EQ(r.status, 200u) << r.body;
  for (const auto& img : json_field(r, "images"))
    if (img["id"] == id) return true;
  return false;
}

TEST_F(ApiMembers, MemberSeesAndDownloadsButCannotChangeTheImage) {
  auto id = alice_image("shared bytes");
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 404u);
  EXPECT_EQ(alice_.put(members(id) + "/tenant-b", "").status, 204u);

  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 200u);
  auto got = bob_.get("/v1/images/" + id);
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, "shared bytes");
  EXPECT_TRUE(lists(bob_, id));
  EXPECT_EQ(carol_.head("/v1/images/" + id).status, 404u);
  EXPECT_FALSE(lists(carol_, id));

  // Never 500: upstream's registry hides the ownership failure as 404.
  auto put = bob_.put("/v1/images/" + id, "", {{"x-image-meta-name", "mine"}});
  EXPECT_TRUE(put.status == 403u || put.status == 404u) << put.status << put.body;
  auto del = bob_.del("/v1/images/" + id);
  EXPECT_TRUE(del.status == 403u || del.status == 404u) << del.status << del.body;
  EXPECT_EQ(alice_.head("/v1/images/" + id).header("x-image-meta-name"),
            std::optional<std::string>("private"));
  EXPECT_EQ(alice_.head("/v1/images/" + id).header("x-image-meta-status"),
            std::optional<std::string>("active"));
}

TEST_F(ApiMembers, SharingNeedsCanShareAndEachTenantSeesItsOwnRow) {
  auto id = alice_image();
  ASSERT_EQ(alice_.put(members(id) + "/tenant-b", "").status, 204u);
  auto own = bob_.get(members(id));
  ASSERT_EQ(own.status, 200u) << own.body;
  EXPECT_EQ(own.json(),
            nlohmann::json::parse(R"({"members":[{"member_id":"tenant-b","can_share":false}]})"));

  // Without can_share bob may not pass it on: the registry's 403 is the api's 404.
  auto refused = bob_.put(members(id) + "/tenant-c", "");
  EXPECT_EQ(refused.status, 404u);
  EXPECT_NE(refused.body.find("No permission to share that image"), std::string::npos)
      << refused.body;
  EXPECT_EQ(carol_.put(members(id) + "/tenant-c", "").status, 404u);  // cannot see it

  // Truthiness: the string "false" is true, as upstream reads it.
  ASSERT_EQ(alice_.put(members(id) + "/tenant-b", R"({"member": {"can_share": "false"}})").status,
            204u);
  EXPECT_EQ(bob_.put(members(id) + "/tenant-c", "").status, 204u);
  EXPECT_EQ(carol_.head("/v1/images/" + id).status, 200u);

  auto all = alice_.get(members(id));
  ASSERT_EQ(all.status, 200u);
  EXPECT_EQ(all.json()["members"].size(), 2u) << all.body;
  auto shared = admin_.request("POST", "/v1/shared-images/tenant-b");
  ASSERT_EQ(shared.status, 200u) << shared.body;
  bool found = false;
  for (const auto& s : json_field(shared, "shared_images"))
    if (s["image_id"] == id) found = s["can_share"] == true;
  EXPECT_TRUE(found) << id << " " << shared.body;
  EXPECT_EQ(alice_.get("/v1/shared-images/nobody-at-all").json(),
            nlohmann::json::parse(R"({"shared_images": []})"));

  EXPECT_EQ(alice_.del(members(id) + "/tenant-c").status, 204u);
  EXPECT_EQ(carol_.head("/v1/images/" + id).status, 404u);
  // Admins share any image. Upstream's quirk: re-adding a removed member without a body
  // leaves it removed (204 all the same); saying can_share brings it back.
  EXPECT_EQ(admin_.put(members(id) + "/tenant-c", "").status, 204u);
  EXPECT_EQ(carol_.head("/v1/images/" + id).status, 404u);
  EXPECT_EQ(admin_.put(members(id) + "/tenant-c", R"({"member": {"can_share": 0}})").status, 204u);
  EXPECT_EQ(carol_.head("/v1/images/" + id).status, 200u);
  EXPECT_EQ(admin_.del(members(id) + "/tenant-c").status, 204u);
  auto again = alice_.del(members(id) + "/tenant-c");
  EXPECT_EQ(again.status, 404u);
  EXPECT_NE(again.body.find("Membership could not be found."), std::string::npos) << again.body;
}

TEST_F(ApiMembers, ReplacingTheListWrapsABareMembershipAndRefusesNonObjects) {
  auto id = alice_image();
  auto r = alice_.put(members(id), R"({"memberships": [{"member_id": "tenant-b"},
                                        {"member_id": "tenant-c", "can_share": true}]})");
  ASSERT_EQ(r.status, 204u) << r.body;
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 2u);
  // Without "memberships" the body is one membership; the others go.
  ASSERT_EQ(alice_.put(members(id), R"({"member_id": "tenant-c"})").status, 204u);
  EXPECT_EQ(alice_.get(members(id)).json(),
            nlohmann::json::parse(R"({"members":[{"member_id":"tenant-c","can_share":true}]})"));
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 404u);

  EXPECT_EQ(alice_.put(members(id), "").status, 400u);
  EXPECT_EQ(alice_.put(members(id), R"([{"member_id": "tenant-b"}])").status, 400u);
  EXPECT_EQ(alice_.put(members(id), "{nope").status, 400u);
  auto no_id = alice_.put(members(id), R"({"memberships": [{"can_share": true}]})");
  EXPECT_EQ(no_id.status, 400u);
  EXPECT_NE(no_id.body.find("Invalid membership association"), std::string::npos) << no_id.body;
  ASSERT_EQ(alice_.put(members(id), R"({"memberships": []})").status, 204u);
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 0u);
}

TEST_F(ApiMembers, RefusalsComeInUpstreamsOrder) {
  auto id = alice_image();
  // No owner id: 401 before the image is even looked up.
  for (const auto& target : {members(id) + "/tenant-b", members("missing") + "/tenant-b"}) {
    auto r = ownerless_.put(target, "");
    EXPECT_EQ(r.status, 401u) << target;
    EXPECT_NE(r.body.find("No authenticated user"), std::string::npos) << r.body;
    EXPECT_EQ(ownerless_.del(target).status, 401u);
  }
  EXPECT_EQ(ownerless_.put(members(id), R"({"memberships": []})").status, 401u);

  EXPECT_EQ(alice_.get(members("no-such-image")).status, 404u);
  EXPECT_EQ(alice_.put(members("no-such-image") + "/tenant-b", "").status, 404u);
  EXPECT_EQ(bob_.get(members(id)).status, 404u);  // invisible
  EXPECT_EQ(bob_.put(members(id), R"({"memberships": []})").status, 404u);

  ASSERT_EQ(alice_.del("/v1/images/" + id).status, 200u);
  for (const auto& r : {admin_.put(members(id) + "/tenant-b", ""), admin_.get(members(id)),
                        admin_.del(members(id) + "/tenant-b")}) {
    EXPECT_EQ(r.status, 404u);
    EXPECT_NE(r.body.find("Image with identifier " + id + " has been deleted."), std::string::npos)
        << r.body;
  }
}

TEST_F(ApiMembers, WrongMethodsAre405) {
  auto id = alice_image();
  auto one = alice_.get(members(id) + "/tenant-b");
  EXPECT_EQ(one.status, 405u);
  EXPECT_EQ(one.header("Allow"), std::nullopt);
  auto post_one = alice_.post(members(id) + "/tenant-b", "");
  EXPECT_EQ(post_one.status, 405u);
  EXPECT_EQ(post_one.header("Allow"), std::optional<std::string>("GET, PUT, DELETE"));
  auto post_all = alice_.post(members(id), "");
  EXPECT_EQ(post_all.status, 405u);
  EXPECT_EQ(post_all.header("Allow"), std::optional<std::string>("GET, PUT"));
}

TEST_F(ApiMembers, QuotaCountsTheNewMemberEvenWhenItExists) {
  auto id = alice_image();
  auto over = alice_.put(members(id), R"({"memberships": [{"member_id": "t1"},
      {"member_id": "t2"}, {"member_id": "t3"}, {"member_id": "t4"}]})");
  EXPECT_EQ(over.status, 413u);
  EXPECT_NE(over.body.find("The limit has been exceeded on the number of allowed image members "
                           "for this image. Attempted: 4, Maximum: 3"),
            std::string::npos)
      << over.body;
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 0u);

  ASSERT_EQ(alice_
                .put(members(id), R"({"memberships": [{"member_id": "t1"},
      {"member_id": "t2"}]})")
                .status,
            204u);
  EXPECT_EQ(alice_.put(members(id) + "/t3", "").status, 204u);
  auto full = alice_.put(members(id) + "/t1", R"({"member": {"can_share": true}})");
  EXPECT_EQ(full.status, 413u);
  EXPECT_NE(full.body.find("Attempted: 4, Maximum: 3"), std::string::npos) << full.body;
  EXPECT_EQ(alice_.put(members(id) + "/t4", "").status, 413u);
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 3u);
}

}  // namespace
}  // namespace glance::testing
