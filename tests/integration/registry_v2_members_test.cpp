// The registry's /v2/images/{id}/members routes asked directly, as a client that skips
// glance-api's checks would: the registry itself keeps upstream v2's rules on who may add,
// answer for and remove members, the member quota and duplicates; v1's member documents are
// unchanged beside them.

#include "tests/support/process_health.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

class RegistryV2Members : public SharedRegistryTest {
 protected:
  // One MySQL connection, opened by the first request, so the descriptor baseline holds
  // whichever pool thread serves a request.
  static void SetUpTestSuite() {
    start_shared_registry(std::string(kTrustedAuth) + "[database]\nmax_pool_size = 1\n");
  }

  static std::string create(const std::string& tenant, const std::string& visibility) {
    auto r = as(tenant).post("/v2/images", json{{"image", {{"visibility", visibility}}}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200u ? r.json()["image"]["id"].get<std::string>() : std::string("none");
  }
  static std::string members(const std::string& id) { return "/v2/images/" + id + "/members"; }
  static HttpResponse add(const std::string& tenant, const std::string& id, const std::string& m,
                          HeaderList headers = {}) {
    return as(tenant).post(members(id), json{{"member", m}}.dump(), headers);
  }
  static void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                            const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
  }
};

TEST_F(RegistryV2Members, OwnerAddsMemberAnswersAndEachSeesItsOwn) {
  const auto id = create("t1", "shared");
  auto added = add("t1", id, "t2");
  ASSERT_EQ(added.status, 200u) << added.body;
  auto m = added.json()["member"];
  EXPECT_EQ(m["image_id"], id);
  EXPECT_EQ(m["member_id"], "t2");
  EXPECT_EQ(m["status"], "pending");
  EXPECT_EQ(m["created_at"], m["updated_at"]);
  ASSERT_EQ(add("t1", id, "t3").status, 200u);
  expect_answer(add("t1", id, "t2"), 409, "already associated", "duplicate");

  auto accepted = as("t2").put(members(id) + "/t2", R"({"status": "accepted"})");
  ASSERT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_EQ(accepted.json()["member"]["status"], "accepted");
  EXPECT_EQ(as("t1").get(members(id)).json()["members"].size(), 2u);
  auto own = as("t2").get(members(id)).json()["members"];
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["status"], "accepted");
  EXPECT_EQ(as("t2").get(members(id) + "/t3").status, 404u);  // another member's row
  EXPECT_EQ(as("t9").get(members(id)).status, 404u);          // cannot see the image
  // v1's documents beside them keep their form.
  auto v1 = as("t1").get("/images/" + id + "/members");
  ASSERT_EQ(v1.status, 200u);
  EXPECT_EQ(v1.json(), json::parse(R"({"members": [{"member_id": "t2", "can_share": false},
                                                   {"member_id": "t3", "can_share": false}]})"));
  EXPECT_EQ(as("t1").del(members(id) + "/t2").status, 204u);
  EXPECT_EQ(as("t2").get("/v2/images/" + id).status, 404u);
}

TEST_F(RegistryV2Members, RefusesWhatUpstreamRefusesWithoutTheApi) {
  const auto id = create("t1", "shared");
  ASSERT_EQ(add("t1", id, "t2").status, 200u);
  ASSERT_EQ(add("t1", id, "t3").status, 200u);
  auto baseline = ProcessHealth::snapshot(env_->daemon().pid());
  // A member may not add members, answer for another, or have the owner answer for it.
  EXPECT_EQ(add("t2", id, "t4").status, 403u);
  EXPECT_EQ(as("t2").put(members(id) + "/t3", R"({"status": "accepted"})").status, 403u);
  EXPECT_EQ(as("t1").put(members(id) + "/t2", R"({"status": "accepted"})").status, 403u);
  EXPECT_EQ(as("t2").del(members(id) + "/t3").status, 403u);
  EXPECT_EQ(as("t2").get(members(id) + "/t2").json()["member"]["status"], "pending");
  // An admin may.
  EXPECT_EQ(as("t0", "admin").put(members(id) + "/t3", R"({"status": "rejected"})").status, 200u);
  // Only shared images take members.
  for (const char* visibility : {"private", "public", "community"})
    expect_answer(add("t1", create("t1", visibility), "t2"), 403,
                  "Only shared images have members.", visibility);
  expect_answer(add("t1", "no-such-image", "t2"), 404, "No image found", "missing image");
  // Bodies and headers.
  for (const std::string body : {"", "[]", "{}", R"({"member": 5})", "{\"member\": \"\xff\"}"})
    EXPECT_EQ(as("t1").post(members(id), body).status, 400u) << body;
  EXPECT_EQ(as("t1").post(members(id), R"({"member": ""})").status, 400u);
  for (const std::string body : {"", R"({"status": "maybe"})", R"({"status": 1})", "[]"})
    EXPECT_EQ(as("t2").put(members(id) + "/t2", body).status, 400u) << body;
  EXPECT_EQ(add("t1", id, "t4", {{"X-Image-Member-Quota", "many"}}).status, 400u);
  expect_answer(add("t1", id, "t4", {{"X-Image-Member-Quota", "2"}}), 413,
                "Attempted: 3, Maximum: 2", "quota");
  EXPECT_EQ(add("t1", id, "t4", {{"X-Image-Member-Quota", "3"}}).status, 200u);
  // An image made private keeps its rows, but its members can no longer answer.
  ASSERT_EQ(
      as("t1").put("/v2/images/" + id, json{{"image", {{"visibility", "private"}}}}.dump()).status,
      200u);
  expect_answer(as("t0", "admin").put(members(id) + "/t2", R"({"status": "accepted"})"), 403,
                "Only shared images have members.", "private image");
  ASSERT_EQ(
      as("t1").put("/v2/images/" + id, json{{"image", {{"visibility", "shared"}}}}.dump()).status,
      200u);
  // Unauthenticated and read-only callers change nothing.
  EXPECT_EQ(HttpClient(env_->daemon().port()).post(members(id), R"({"member": "t5"})").status,
            401u);
  EXPECT_EQ(as("t1").get(members(id)).json()["members"].size(), 3u);
  expect_recovered(env_->daemon(), baseline);
}

}  // namespace
}  // namespace glance::testing
