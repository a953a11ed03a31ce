// glance-api with the keystone flavor forwarding identities to a trusted-auth registry:
// who sees and changes what.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"

#include <gtest/gtest.h>

#include <chrono>

namespace glance::testing {
namespace {

class ApiVisibility : public SharedTenantsApiTest {
 protected:
  HttpClient nobody_ = env_->client();
};

bool lists(const HttpClient& c, const std::string& id, const std::string& query = "") {
  auto r = c.get("/v1/images/detail" + query);
  EXPECT_EQ(r.status, 200u) << r.body;
  for (const auto& img : json_field(r, "images"))
    if (img["id"] == id) return true;
  return false;
}

TEST_F(ApiVisibility, PrivateImagesAre404ForOtherTenantsNot403) {
  auto r = alice_.post("/v1/images", "", {{"x-image-meta-name", "alice-private"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["owner"], "tenant-a");
  std::string id = r.json()["image"]["id"];
  EXPECT_EQ(alice_.head("/v1/images/" + id).status, 200u);
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 404u);
  EXPECT_EQ(bob_.get("/v1/images/" + id).status, 404u);
  EXPECT_EQ(bob_.put("/v1/images/" + id, "", {{"x-image-meta-name", "mine"}}).status, 404u);
  EXPECT_EQ(bob_.del("/v1/images/" + id).status, 404u);
  EXPECT_EQ(admin_.head("/v1/images/" + id).status, 200u);
  EXPECT_TRUE(lists(alice_, id));
  EXPECT_FALSE(lists(bob_, id));
  // Admins list like everyone unless they ask for all.
  EXPECT_FALSE(lists(admin_, id));
  EXPECT_TRUE(lists(admin_, id, "?is_public=none"));
}

// The boolean list filters, as upstream's api and registry judge them: the api takes none,
// true, false, 1 and 0 in any case; the registry then refuses protected=none, and reads
// is_public for admins only (none: every image; false: the non-public ones).
TEST_F(ApiVisibility, BooleanListFiltersAreJudgedAsUpstreamJudgesThem) {
  auto made =
      alice_.post("/v1/images", "",
                  {{"x-image-meta-name", "bool-filters"}, {"x-image-meta-protected", "True"}});
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string id = made.json()["image"]["id"];
  auto expect_400 = [](const HttpResponse& r, const std::string& words, const std::string& what) {
    EXPECT_EQ(r.status, 400u) << what << ": " << r.body;
    EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
  };
  for (const std::string path : {"/v1/images", "/v1/images/detail"}) {
    for (const HttpClient* c : {&alice_, &admin_}) {
      expect_400(c->get(path + "?protected=none"), "protected must be True, or False",
                 path + " protected=none");
      expect_400(c->get(path + "?protected=NONE&name=bool-filters"),
                 "protected must be True, or False", path + " protected=NONE");
      expect_400(c->get(path + "?protected=yes"), "Bad value passed to filter protected got yes",
                 path + " protected=yes");
      expect_400(c->get(path + "?is_public=maybe"),
                 "Bad value passed to filter is_public got maybe", path + " is_public=maybe");
      expect_400(c->get(path + "?is_public="), "Bad value passed to filter is_public got",
                 path + " empty is_public");
      expect_400(c->get(path + "?protected=tru%65x"), "Bad value passed to filter protected",
                 path + " protected=truex");
    }
  }
  EXPECT_TRUE(lists(alice_, id, "?protected=TRUE"));
  EXPECT_TRUE(lists(alice_, id, "?protected=1"));
  EXPECT_FALSE(lists(alice_, id, "?protected=False"));
  EXPECT_FALSE(lists(alice_, id, "?protected=0"));
  // is_public is an admin's filter; anyone else's is ignored, once the api found it well formed.
  for (const char* v : {"none", "None", "true", "false", "0"})
    EXPECT_TRUE(lists(alice_, id, std::string("?is_public=") + v)) << v;
  EXPECT_FALSE(lists(bob_, id, "?is_public=none"));
  EXPECT_TRUE(lists(admin_, id, "?is_public=NONE"));
  EXPECT_TRUE(lists(admin_, id, "?is_public=False"));
  EXPECT_FALSE(lists(admin_, id, "?is_public=1"));
  EXPECT_FALSE(lists(admin_, id));
}

TEST_F(ApiVisibility, PublicImagesAreSeenByAllButChangedOnlyByTheOwner) {
  EXPECT_EQ(alice_.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}).status, 403u);
  auto r = admin_.post("/v1/images", "",
                       {{"x-image-meta-name", "shared-base"}, {"x-image-meta-is_public", "True"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  std::string id = r.json()["image"]["id"];
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 200u);
  EXPECT_TRUE(lists(bob_, id));
  EXPECT_EQ(bob_.put("/v1/images/" + id, "", {{"x-image-meta-name", "hijack"}}).status, 403u);
  EXPECT_EQ(bob_.del("/v1/images/" + id).status, 403u);
  EXPECT_EQ(admin_.del("/v1/images/" + id).status, 200u);
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 404u);    // deleted: gone for users
  EXPECT_EQ(admin_.head("/v1/images/" + id).status, 200u);  // admins still see the row
}

TEST_F(ApiVisibility, NoIdentityIs401ButVersionsNeedNone) {
  EXPECT_EQ(nobody_.get("/v1/images").status, 401u);
  EXPECT_EQ(nobody_.get("/").status, 300u);
  EXPECT_EQ(nobody_.get("/versions").status, 200u);
}

TEST_F(ApiVisibility, RequestIdIsForwardedAndReturned) {
  auto r = alice_.get("/v1/images", {{"X-Openstack-Request-ID", "req-abc-123"}});
  EXPECT_EQ(r.header("x-openstack-request-id"), std::optional<std::string>("req-abc-123"));
  // The registry writes its access line once the answer is sent, so it may trail the answer
  // the api relayed: wait for the line, not for a time.
  eventually(
      [&] { return env_->registry().daemon().log().find("req-abc-123") != std::string::npos; },
      std::chrono::seconds(10));
  EXPECT_NE(env_->registry().daemon().log().find("req-abc-123"), std::string::npos);
}

}  // namespace
}  // namespace glance::testing
