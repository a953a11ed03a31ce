// Glance v2's image members on glance-api, over real HTTP in front of a real glance-registry
// and MariaDB: an owner shares, the member sees its pending, accepted and rejected images
// through the list filters and answers for itself, others see nothing; hostile bodies and
// callers; adds racing past image_member_quota; members written through v1 seen in v2.

#include "tests/support/api_fixture.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
constexpr int64_t kMemberQuota = 5;

class ApiV2Members : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(true, "image_member_quota = 5"); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  static ApiEnvironment* env_;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient bob_ = env_->client(identity("tenant-b", "member", "bob"));
  HttpClient carol_ = env_->client(identity("tenant-c", "member", "carol"));
  HttpClient admin_ = env_->client(identity("tenant-admin", "admin", "root"));

  static std::string members(const std::string& id) { return "/v2/images/" + id + "/members"; }
  static std::string member(const std::string& id, const std::string& m) {
    return members(id) + "/" + m;
  }
  // A new image of alice's with the given visibility (v2 creates `shared` by default).
  std::string alice_image(const std::string& name, const std::string& visibility = "shared") {
    auto r =
        alice_.post("/v2/images", json{{"name", name}, {"visibility", visibility}}.dump(), kJson);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201u ? r.json()["id"].get<std::string>() : std::string("missing");
  }
  static std::set<std::string> listed(const HttpClient& c, const std::string& query) {
    auto r = c.get("/v2/images" + query);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::set<std::string> out;
    if (r.status != 200u) return out;
    const auto doc = r.json();  // the range of a for must not be a temporary's member
    for (const auto& i : doc["images"]) out.insert(i["id"].get<std::string>());
    return out;
  }
  static json set_status(const HttpClient& c, const std::string& id, const std::string& m,
                         const std::string& status, unsigned expected = 200) {
    auto r = c.put(member(id, m), json{{"status", status}}.dump(), kJson);
    EXPECT_EQ(r.status, expected) << r.body;
    return r.status == 200u ? r.json() : json::object();
  }
  // The status `c` sees for member `m` of image `id`, or "" (and a failure) when it sees none.
  static std::string status_seen(const HttpClient& c, const std::string& id, const std::string& m) {
    auto r = c.get(member(id, m));
    EXPECT_EQ(r.status, 200u) << m << ": " << r.body;
    return r.status == 200u ? r.json()["status"].get<std::string>() : std::string();
  }
  static void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                            const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
  }
};
ApiEnvironment* ApiV2Members::env_ = nullptr;

TEST_F(ApiV2Members, OwnerSharesMemberAnswersOthersSeeNothing) {
  const auto id = alice_image("shared-with-b");
  auto empty = alice_.get(members(id));
  ASSERT_EQ(empty.status, 200u) << empty.body;
  EXPECT_EQ(empty.json(), json({{"members", json::array()}, {"schema", "/v2/schemas/members"}}));

  auto added = alice_.post(members(id), R"({"member": "tenant-b"})", kJson);
  ASSERT_EQ(added.status, 200u) << added.body;
  auto m = added.json();
  EXPECT_EQ(m["image_id"], id);
  EXPECT_EQ(m["member_id"], "tenant-b");
  EXPECT_EQ(m["status"], "pending");
  EXPECT_EQ(m["schema"], "/v2/schemas/member");
  EXPECT_EQ(m["created_at"].get<std::string>().size(), 20u);  // YYYY-MM-DDTHH:MM:SSZ
  EXPECT_EQ(m["updated_at"].get<std::string>().back(), 'Z');
  expect_answer(alice_.post(members(id), R"({"member": "tenant-b"})", kJson), 409,
                "Member tenant-b is duplicated for image " + id, "duplicate");

  // Pending: the member sees the image by id and when it asks for pending ones, not by default.
  EXPECT_EQ(bob_.get("/v2/images/" + id).status, 200u);
  EXPECT_EQ(listed(bob_, "").count(id), 0u);
  EXPECT_EQ(listed(bob_, "?member_status=pending").count(id), 1u);
  EXPECT_EQ(listed(bob_, "?member_status=all").count(id), 1u);
  EXPECT_EQ(listed(bob_, "?member_status=accepted").count(id), 0u);
  expect_answer(bob_.get("/v2/images?member_status=maybe"), 400, "Invalid status", "filter");
  // The member lists only its own membership; the owner all.
  auto own = bob_.get(members(id)).json()["members"];
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["member_id"], "tenant-b");
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-d"})", kJson).status, 200u);
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 2u);
  EXPECT_EQ(bob_.get(members(id)).json()["members"].size(), 1u);

  auto accepted = set_status(bob_, id, "tenant-b", "accepted");
  EXPECT_EQ(accepted["status"], "accepted");
  EXPECT_EQ(accepted["member_id"], "tenant-b");
  EXPECT_EQ(listed(bob_, "").count(id), 1u);
  EXPECT_EQ(listed(bob_, "?member_status=pending").count(id), 0u);
  EXPECT_EQ(listed(bob_, "?visibility=shared").count(id), 1u);
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "accepted");

  EXPECT_EQ(set_status(bob_, id, "tenant-b", "rejected")["status"], "rejected");
  EXPECT_EQ(listed(bob_, "").count(id), 0u);
  EXPECT_EQ(listed(bob_, "?member_status=rejected").count(id), 1u);
  EXPECT_EQ(bob_.get("/v2/images/" + id).status, 200u);  // rejected still sees it by id
  EXPECT_EQ(status_seen(alice_, id, "tenant-b"), "rejected");
  // The owner lists its own image whatever the members answered.
  EXPECT_EQ(listed(alice_, "").count(id), 1u);

  // A non-member sees neither the image nor its members.
  expect_answer(carol_.get("/v2/images/" + id), 404, "", "non-member image");
  expect_answer(carol_.get(members(id)), 404, "Image " + id + " not found.", "non-member list");
  expect_answer(carol_.get(member(id, "tenant-b")), 404, "", "non-member show");
  EXPECT_EQ(listed(carol_, "?member_status=all").count(id), 0u);
  // A member cannot look at another member's row: 404 (upstream hides the refusal).
  expect_answer(bob_.get(member(id, "tenant-d")), 404,
                "You are not authorized to lookup the members of the image " + id, "other row");
  expect_answer(alice_.get(member(id, "tenant-z")), 404,
                "tenant-z not found in the member list of the image " + id, "unknown member");
  EXPECT_EQ(status_seen(admin_, id, "tenant-d"), "pending");

  // The owner removes the member: the image is gone for it; removing again is 404.
  auto removed = alice_.del(member(id, "tenant-b"));
  EXPECT_EQ(removed.status, 204u) << removed.body;
  EXPECT_TRUE(removed.body.empty());
  EXPECT_EQ(bob_.get("/v2/images/" + id).status, 404u);
  EXPECT_EQ(listed(bob_, "?member_status=all").count(id), 0u);
  expect_answer(alice_.del(member(id, "tenant-b")), 404, "tenant-b not found", "removed twice");
  // Added again, it starts over as pending.
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-b"})", kJson).status, 200u);
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "pending");
}

TEST_F(ApiV2Members, OnlyTheRightCallersActAndOnlySharedImagesHaveMembers) {
  auto& api = env_->api();
  const auto id = alice_image("hostile-callers");
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-b"})", kJson).status, 200u);
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-c"})", kJson).status, 200u);
  auto baseline = ProcessHealth::snapshot(api.pid());

  // A member may not answer for another member, the owner may not answer for a member.
  expect_answer(bob_.put(member(id, "tenant-c"), R"({"status": "accepted"})", kJson), 403,
                "You are not authorized to lookup the members of the image " + id, "b for c");
  expect_answer(alice_.put(member(id, "tenant-b"), R"({"status": "accepted"})", kJson), 403,
                "Not allowed to update members for image " + id + ".", "owner for b");
  EXPECT_EQ(status_seen(carol_, id, "tenant-c"), "pending");
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "pending");
  // A member may not add or remove members, itself included.
  expect_answer(bob_.post(members(id), R"({"member": "tenant-e"})", kJson), 403,
                "Not allowed to create members for image " + id + ".", "member adds");
  expect_answer(bob_.del(member(id, "tenant-b")), 403,
                "Not allowed to delete members for image " + id + ".", "member removes");
  // An admin may do either.
  EXPECT_EQ(set_status(admin_, id, "tenant-c", "rejected")["status"], "rejected");
  expect_answer(bob_.put(member(id, "tenant-b"), R"({"status": "maybe"})", kJson), 400,
                "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".",
                "bad status");
  expect_answer(bob_.put(member(id, "tenant-b"), R"({"status": 1})", kJson), 400,
                "Incorrect request", "numeric status");
  expect_answer(bob_.put(member(id, "tenant-b"), R"({"status": "Accepted"})", kJson), 400,
                "Incorrect request", "status case");

  // Only shared images have members: private, public and community ones are refused.
  const auto priv = alice_image("no-members", "private");
  const auto community = alice_image("community-no-members", "community");
  for (const auto& other : {priv, community}) {
    const std::string words = "Only shared images have members.";
    expect_answer(alice_.post(members(other), R"({"member": "tenant-b"})", kJson), 403, words,
                  "add " + other);
    expect_answer(alice_.get(members(other)), 403, words, "list " + other);
    expect_answer(alice_.get(member(other, "tenant-b")), 404, words, "show " + other);
    expect_answer(alice_.del(member(other, "tenant-b")), 403, words, "delete " + other);
  }
  expect_answer(alice_.post(members("no-such-image"), R"({"member": "x"})", kJson), 404,
                "Image no-such-image not found.", "missing image");
  expect_answer(alice_.get(members(std::string(300, 'i'))), 404, "not found", "long image id");

  // Hostile bodies: each is a 400 with upstream's words (or our limits' words), nothing added.
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{\"member\":";
  deep += "\"x\"";
  for (int i = 0; i < 200; ++i) deep += "}";
  const std::vector<std::pair<std::string, std::string>> adds = {
      {"", "Body expected in request."},
      {"{\"member\": ", "Malformed JSON in request body."},
      {"[]", "Expected a member in the form: {\"member\": \"image_id\"}"},
      {"\"tenant-e\"", "Unexpected body type. Expected list/dict."},
      {"{}", "Member to be added not specified"},
      {R"({"member": ""})", "Member can't be empty"},
      {R"({"member": null})", "Member can't be empty"},
      {R"({"member": 5})", "Expected a member in the form"},
      {R"({"member": ["tenant-e"]})", "Expected a member in the form"},
      {json{{"member", std::string(256, 'm')}}.dump(), "Expected a member in the form"},
      {"{\"member\": \"\xff\xfe\"}", ""},
      {"{\"member\": \"\xc0\xaf\"}", ""},
      {deep, ""},
  };
  for (const auto& [body, words] : adds)
    expect_answer(alice_.post(members(id), body, kJson), 400, words, body.substr(0, 40));
  const std::vector<std::pair<std::string, std::string>> updates = {
      {"", "Body expected in request."},
      {"[\"accepted\"]", "Expected a status in the form: {\"status\": \"status\"}"},
      {"{}", "Status not specified"},
      {"{\"status\": \"\xff\"}", ""},
  };
  for (const auto& [body, words] : updates)
    expect_answer(bob_.put(member(id, "tenant-b"), body, kJson), 400, words, body.substr(0, 40));
  auto huge = alice_.post(members(id), json{{"member", std::string(2 << 20, 'x')}}.dump(), kJson);
  EXPECT_EQ(huge.status, 413u);
  // A member id that is not valid UTF-8 in the path names nobody.
  expect_answer(alice_.get(member(id, "%FF%FE")), 400, "not UTF-8", "invalid utf-8 path");
  expect_answer(alice_.del(member(id, "%C0%AF")), 400, "not UTF-8", "overlong utf-8 path");
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), 2u);
  // Wrong methods are 405.
  EXPECT_EQ(alice_.request("PATCH", members(id)).status, 405u);
  EXPECT_EQ(alice_.post(member(id, "tenant-b"), "{}", kJson).status, 405u);
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Members, RacingAddsNeverPassTheMemberQuota) {
  auto& api = env_->api();
  const auto id = alice_image("racing-adds");
  const auto second = alice_image("racing-same-member");
  constexpr int kThreads = 12;
  // Fill the api's pool of registry connections as the races will, before the baseline.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] { env_->client(identity("tenant-a")).get(members(id)); });
  for (auto& t : threads) t.join();
  threads.clear();
  auto baseline = ProcessHealth::snapshot(api.pid());
  std::atomic<int> added{0}, over{0}, other{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto client = env_->client(identity("tenant-a", "member", "alice"));
      auto r =
          client.post(members(id), json{{"member", "racer-" + std::to_string(t)}}.dump(), kJson);
      if (r.status == 200u)
        ++added;
      else if (r.status == 413u &&
               r.body.find("Image member limit exceeded for image " + id) != std::string::npos)
        ++over;
      else
        ++other;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), kMemberQuota);
  EXPECT_EQ(over.load(), kThreads - kMemberQuota);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(alice_.get(members(id)).json()["members"].size(), static_cast<size_t>(kMemberQuota));
  auto full = alice_.post(members(id), R"({"member": "late"})", kJson);
  expect_answer(full, 413, "Attempted: 6, Maximum: 5", "full");

  // The same member added at once by many: one wins, the others conflict.
  std::atomic<int> won{0}, dup{0};
  threads.clear();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      auto client = env_->client(identity("tenant-a", "member", "alice"));
      auto r = client.post(members(second), R"({"member": "tenant-b"})", kJson);
      if (r.status == 200u) ++won;
      if (r.status == 409u) ++dup;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(dup.load(), kThreads - 1);
  EXPECT_EQ(alice_.get(members(second)).json()["members"].size(), 1u);
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Members, MembersWrittenThroughV1ArePendingInV2AndV1Unchanged) {
  auto v1 = alice_.post("/v1/images", "",
                        {{"x-image-meta-name", "shared-through-v1"},
                         {"x-image-meta-disk_format", "raw"},
                         {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  const std::string id = v1.json()["image"]["id"];
  const std::string v1_members = "/v1/images/" + id + "/members";
  ASSERT_EQ(alice_.put(v1_members + "/tenant-b", "").status, 204u);
  auto seen = alice_.get(members(id));
  ASSERT_EQ(seen.status, 200u) << seen.body;
  ASSERT_EQ(seen.json()["members"].size(), 1u);
  EXPECT_EQ(seen.json()["members"][0]["member_id"], "tenant-b");
  EXPECT_EQ(seen.json()["members"][0]["status"], "pending");
  // v1 lists it to the member whatever its status; v2 only when asked for pending ones.
  EXPECT_EQ(listed(bob_, "").count(id), 0u);
  EXPECT_EQ(listed(bob_, "?member_status=pending").count(id), 1u);
  EXPECT_EQ(set_status(bob_, id, "tenant-b", "accepted")["status"], "accepted");
  EXPECT_EQ(listed(bob_, "").count(id), 1u);

  // v1's answers keep their form; a v1 can_share update keeps the v2 status.
  auto v1_list = alice_.get(v1_members);
  ASSERT_EQ(v1_list.status, 200u);
  EXPECT_EQ(v1_list.json(), json::parse(R"({"members": [{"member_id": "tenant-b",
                                               "can_share": false}]})"));
  ASSERT_EQ(alice_.put(v1_members + "/tenant-b", R"({"member": {"can_share": true}})").status,
            204u);
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "accepted");
  // Added through v2, listed by v1. Removed through v1 and brought back by v1's can_share
  // (upstream's v1 reuses the row), it keeps its answer; added again through v2, it is pending.
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-c"})", kJson).status, 200u);
  EXPECT_EQ(alice_.get(v1_members).json()["members"].size(), 2u);
  ASSERT_EQ(alice_.del(v1_members + "/tenant-b").status, 204u);
  EXPECT_EQ(bob_.get(member(id, "tenant-b")).status, 404u);
  ASSERT_EQ(alice_.put(v1_members + "/tenant-b", R"({"member": {"can_share": false}})").status,
            204u);
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "accepted");
  ASSERT_EQ(alice_.del(member(id, "tenant-b")).status, 204u);
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-b"})", kJson).status, 200u);
  EXPECT_EQ(status_seen(bob_, id, "tenant-b"), "pending");
}

// The member rules of a policy file, through the one authorizer: each refuses its action in
// upstream's words.
TEST(ApiV2MembersPolicy, EachMemberRuleRefusesItsAction) {
  const std::string dir = make_temp_dir("glance-v2-member-policy");
  {
    std::ofstream out(dir + "/policy.yaml");
    out << "get_members: role:admin\nadd_member: role:admin\nmodify_member: role:admin\n"
           "delete_member: role:admin\nget_member: role:admin or project_id:tenant-b\n";
  }
  ApiEnvironment env(
      true, "image_member_quota = 5\n[oslo_policy]\npolicy_file = " + dir + "/policy.yaml\n");
  auto alice = env.client(identity("tenant-a", "member", "alice"));
  auto bob = env.client(identity("tenant-b", "member", "bob"));
  auto admin = env.client(identity("tenant-admin", "admin", "root"));
  auto made = alice.post("/v2/images", R"({"name": "policed"})", kJson);
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string id = made.json()["id"];
  const std::string members = "/v2/images/" + id + "/members";
  auto refused = [&](const HttpResponse& r, const std::string& words) {
    EXPECT_EQ(r.status, 403u) << r.body;
    EXPECT_NE(r.body.find(words + " for image " + id + "."), std::string::npos) << r.body;
  };
  refused(alice.post(members, R"({"member": "tenant-b"})", kJson), "Not allowed to create members");
  refused(alice.get(members), "Not allowed to list members");
  ASSERT_EQ(admin.post(members, R"({"member": "tenant-b"})", kJson).status, 200u);
  EXPECT_EQ(admin.get(members).json()["members"].size(), 1u);
  // get_member lets bob look, modify_member does not let him answer.
  EXPECT_EQ(bob.get(members + "/tenant-b").status, 200u);
  refused(bob.put(members + "/tenant-b", R"({"status": "accepted"})", kJson),
          "Not allowed to update members");
  // The owner cannot even look the member up, so it cannot remove it.
  auto hidden = alice.get(members + "/tenant-b");
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(alice.del(members + "/tenant-b").status, 403u);
  EXPECT_EQ(admin.del(members + "/tenant-b").status, 204u);
  std::filesystem::remove_all(dir);
}

// Members added while an image was shared stay stored when it stops being shared, but no
// caller, the owner and an admin included, lists or removes them until it is shared again.
TEST_F(ApiV2Members, MembersOfAnImageNoLongerSharedCannotBeListedOrRemoved) {
  const auto id = alice_image("shared-then-not");
  ASSERT_EQ(alice_.post(members(id), R"({"member": "tenant-b"})", kJson).status, 200u);
  const HeaderList patch_type = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
  auto set_visibility = [&](const HttpClient& c, const std::string& visibility) {
    auto r = c.request(
        "PATCH", "/v2/images/" + id, patch_type,
        json::array({{{"op", "replace"}, {"path", "/visibility"}, {"value", visibility}}}).dump());
    ASSERT_EQ(r.status, 200u) << r.body;
  };
  const std::string words =
      "Error fetching members of image " + id + ": Only shared images have members.";
  for (const char* visibility : {"private", "community", "public"}) {
    set_visibility(std::string(visibility) == "public" ? admin_ : alice_, visibility);
    for (const HttpClient* c : {&alice_, &admin_}) {
      const std::string who = std::string(c == &admin_ ? "admin " : "owner ") + visibility;
      expect_answer(c->get(members(id)), 403, words, "list by " + who);
      expect_answer(c->del(member(id, "tenant-b")), 403, words, "delete by " + who);
      expect_answer(c->put(member(id, "tenant-b"), R"({"status": "accepted"})", kJson), 403, words,
                    "update by " + who);
    }
    // The member no longer sees a private image at all.
    if (std::string(visibility) == "private")
      expect_answer(bob_.del(member(id, "tenant-b")), 404, "Image " + id + " not found.",
                    "member private");
    else
      expect_answer(bob_.del(member(id, "tenant-b")), 403, words,
                    std::string("member ") + visibility);
  }
  set_visibility(admin_, "shared");
  auto listed = alice_.get(members(id));
  ASSERT_EQ(listed.status, 200u) << listed.body;
  ASSERT_EQ(listed.json()["members"].size(), 1u);
  EXPECT_EQ(listed.json()["members"][0]["member_id"], "tenant-b");
  EXPECT_EQ(alice_.del(member(id, "tenant-b")).status, 204u);
}

}  // namespace
}  // namespace glance::testing
