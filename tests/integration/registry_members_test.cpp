// Registry membership routes with trusted identity headers.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

class RegistryMembers : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() { start_shared_registry(kTrustedAuth); }
  std::string private_image(const std::string& owner) {
    auto r = as(owner).post("/images", json{{"image", {{"name", "m"}}}}.dump());
    EXPECT_EQ(r.status, 200u);
    return r.json()["image"]["id"];
  }
  static json members(const std::string& tenant, const std::string& id) {
    auto r = as(tenant).get("/images/" + id + "/members");
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["members"];
  }
};

TEST_F(RegistryMembers, OwnerAddsListsAndRemovesMembers) {
  auto id = private_image("o1");
  EXPECT_EQ(as("o1").put("/images/" + id + "/members/m1", "").status, 204u);
  EXPECT_EQ(
      as("o1")
          .put("/images/" + id + "/members/m2", json{{"member", {{"can_share", true}}}}.dump())
          .status,
      204u);
  EXPECT_EQ(members("o1", id), json::parse(R"([{"member_id":"m1","can_share":false},
                                               {"member_id":"m2","can_share":true}])"));
  // A member sees only its own row; a stranger cannot see the image at all.
  EXPECT_EQ(members("m1", id), json::parse(R"([{"member_id":"m1","can_share":false}])"));
  EXPECT_EQ(as("x").get("/images/" + id + "/members").status, 404u);
  EXPECT_EQ(as("o1").del("/images/" + id + "/members/m1").status, 204u);
  auto again = as("o1").del("/images/" + id + "/members/m1");
  EXPECT_EQ(again.status, 404u);
  EXPECT_NE(again.body.find("Membership could not be found."), std::string::npos);
}

TEST_F(RegistryMembers, SharingPermission) {
  auto id = private_image("o2");
  as("o2").put("/images/" + id + "/members/sharer", json{{"member", {{"can_share", 1}}}}.dump());
  as("o2").put("/images/" + id + "/members/plain", "");
  EXPECT_EQ(as("sharer").put("/images/" + id + "/members/third", "").status, 204u);
  auto refused = as("plain").put("/images/" + id + "/members/fourth", "");
  EXPECT_EQ(refused.status, 403u);
  EXPECT_NE(refused.body.find("No permission to share that image"), std::string::npos);
  EXPECT_EQ(as("stranger").put("/images/" + id + "/members/x", "").status, 404u);
  EXPECT_EQ(as("adm", "admin").put("/images/" + id + "/members/y", "").status, 204u);
}

TEST_F(RegistryMembers, NoOwnerIs401AndReadOnlyIs403) {
  auto id = private_image("o3");
  HttpClient no_tenant(env_->daemon().port(),
                       {{"X-Identity-Status", "Confirmed"}, {"X-Roles", "member"}});
  auto r = no_tenant.put("/images/" + id + "/members/m", "");
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("No authenticated user"), std::string::npos);
  EXPECT_EQ(no_tenant.del("/images/" + id + "/members/m").status, 401u);
}

TEST_F(RegistryMembers, ReplaceAllMakesTheListExact) {
  auto id = private_image("o4");
  auto path = "/images/" + id + "/members";
  ASSERT_EQ(as("o4")
                .put(path, json{{"memberships",
                                 {{{"member_id", "a"}}, {{"member_id", "b"}, {"can_share", true}}}}}
                               .dump())
                .status,
            204u);
  ASSERT_EQ(
      as("o4")
          .put(path, json{{"memberships",
                           {{{"member_id", "b"}}, {{"member_id", "c"}, {"can_share", "false"}}}}}
                         .dump())
          .status,
      204u);
  // b keeps can_share; the string "false" is truthy, as upstream.
  EXPECT_EQ(members("o4", id), json::parse(R"([{"member_id":"b","can_share":true},
                                               {"member_id":"c","can_share":true}])"));
  ASSERT_EQ(as("o4").put(path, json{{"memberships", json::array()}}.dump()).status, 204u);
  EXPECT_TRUE(members("o4", id).empty());
  // a comes back, reusing its soft-deleted row.
  ASSERT_EQ(as("o4").put(path, json{{"memberships", {{{"member_id", "a"}}}}}.dump()).status, 204u);
  EXPECT_EQ(members("o4", id), json::parse(R"([{"member_id":"a","can_share":false}])"));
}

TEST_F(RegistryMembers, BadBodiesAre400) {
  auto id = private_image("o5");
  auto path = "/images/" + id + "/members";
  for (const std::string& body :
       {std::string("{bad"), std::string("{}"), json{{"memberships", "x"}}.dump(),
        json{{"memberships", {{{"can_share", true}}}}}.dump(),
        json{{"memberships", {{{"member_id", 7}}}}}.dump()})
    EXPECT_EQ(as("o5").put(path, body).status, 400u) << body;
  EXPECT_EQ(as("o5").put(path + "/m", json{{"member", "x"}}.dump()).status, 400u);
}

TEST_F(RegistryMembers, WrongMethodsAre405WithAllow) {
  auto id = private_image("o6");
  auto single = as("o6").get("/images/" + id + "/members/m");
  EXPECT_EQ(single.status, 405u);
  EXPECT_EQ(single.header("Allow"), "PUT, DELETE");
  EXPECT_EQ(as("o6").post("/images/" + id + "/members", "").status, 405u);
}

TEST_F(RegistryMembers, SharedImagesAndMembershipVisibility) {
  auto id = private_image("o7");
  as("o7").put("/images/" + id + "/members/viewer", "");
  EXPECT_EQ(as("viewer").get("/images/" + id).status, 200u);
  auto shared = as("viewer").request("POST", "/shared-images/viewer");
  ASSERT_EQ(shared.status, 200u);
  bool found = false;
  for (const auto& s : json_field(shared, "shared_images")) found |= s["image_id"] == id;
  EXPECT_TRUE(found);
  // Another tenant asking about the viewer sees nothing of o7's images.
  EXPECT_TRUE(as("nosy").get("/shared-images/viewer").json()["shared_images"].empty());
  EXPECT_TRUE(as("x").get("/shared-images/unknown").json()["shared_images"].empty());
  // Deleting the image removes its memberships.
  ASSERT_EQ(as("o7").del("/images/" + id).status, 200u);
  EXPECT_EQ(as("viewer").get("/images/" + id).status, 404u);
  for (const auto& s : json_field(as("viewer").get("/shared-images/viewer"), "shared_images"))
    EXPECT_NE(s["image_id"], id);
}

}  // namespace
}  // namespace glance::testing
