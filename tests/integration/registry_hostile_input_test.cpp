// glance-registry against JSON bodies nested or sized to hurt it and against bytes that are not
// UTF-8 in paths, filters and bodies: each is a 4xx, and the daemon goes on serving.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

// 400,000 open brackets: deep enough to overflow any recursive parser or serializer.
const std::string kBracketBomb(400000, '[');

// One level more than parse_json allows, as an otherwise well-formed document.
std::string thirty_three_levels() {
  return R"({"image": )" + std::string(32, '[') + std::string(32, ']') + "}";
}

// Over the daemon's 1 MiB limit for JSON bodies.
const std::string kHugeBody = json{{"image", {{"name", std::string(2 << 20, 'x')}}}}.dump();

class RegistryHostileInput : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() { start_shared_registry(kTrustedAuth); }
  void TearDown() override {
    if (!setup_error_.empty()) return;
    auto health = owner().get("/healthcheck");
    EXPECT_EQ(health.status, 200u) << "glance-registry stopped serving";
    EXPECT_TRUE(env_->daemon().running());
  }
  static HttpClient owner() { return HttpClient(env_->daemon().port(), identity("owner")); }
  std::string image() {
    auto r = owner().post("/images", json{{"image", {{"name", "target"}}}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["id"];
  }
  // The JSON routes, as (method, target) for an existing image.
  std::vector<std::pair<std::string, std::string>> json_routes() {
    auto id = image();
    return {{"POST", "/images"},
            {"PUT", "/images/" + id},
            {"PUT", "/images/" + id + "/members"},
            {"PUT", "/images/" + id + "/members/tenant-m"}};
  }
};

TEST_F(RegistryHostileInput, DeeplyNestedJsonIs400OnEveryJsonRoute) {
  for (const auto& [method, target] : json_routes()) {
    for (const auto& body : {kBracketBomb, thirty_three_levels()}) {
      auto r = owner().request(method, target, {{"Content-Type", "application/json"}}, body);
      EXPECT_EQ(r.status, 400u) << method << " " << target << ": " << r.body;
      EXPECT_NE(r.body.find("nested deeper than 32 levels"), std::string::npos) << r.body;
      EXPECT_EQ(owner().get("/healthcheck").status, 200u);
    }
  }
}

TEST_F(RegistryHostileInput, JsonAtTheDepthLimitIsStillAccepted) {
  auto id = image();
  // {"memberships": [ {..} ]} with the member's can_share 29 arrays deep: 32 levels in all.
  std::string deep_value = std::string(29, '[') + "1" + std::string(29, ']');
  auto r =
      owner().put("/images/" + id + "/members",
                  R"({"memberships": [{"member_id": "deep", "can_share": )" + deep_value + "}]}");
  EXPECT_EQ(r.status, 204u) << r.body;
}

TEST_F(RegistryHostileInput, HugeJsonIs413OnEveryJsonRoute) {
  for (const auto& [method, target] : json_routes()) {
    auto r = owner().request(method, target, {{"Content-Type", "application/json"}}, kHugeBody);
    EXPECT_EQ(r.status, 413u) << method << " " << target << ": " << r.body;
    EXPECT_EQ(owner().get("/healthcheck").status, 200u);
  }
}

TEST_F(RegistryHostileInput, JsonStringsThatAreNotUtf8Are400) {
  auto id = image();
  const std::string bad_name = "{\"image\": {\"name\": \"a\xff\"}}";
  EXPECT_EQ(owner().post("/images", bad_name).status, 400u);
  EXPECT_EQ(owner().put("/images/" + id, bad_name).status, 400u);
  EXPECT_EQ(owner()
                .put("/images/" + id + "/members", "{\"memberships\": [{\"member_id\": \"\xc3\"}]}")
                .status,
            400u);
}

TEST_F(RegistryHostileInput, PathIdsThatAreNotUtf8Are400) {
  auto id = image();
  for (const std::string& bad : {std::string("%FF"), std::string("\xff\xfe"),
                                 std::string("%ED%A0%80"), std::string("a%C3")}) {
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/images/" + bad},
             {"PUT", "/images/" + bad},
             {"DELETE", "/images/" + bad},
             {"GET", "/images/" + bad + "/members"},
             {"PUT", "/images/" + bad + "/members/m"},
             {"PUT", "/images/" + id + "/members/" + bad},
             {"DELETE", "/images/" + id + "/members/" + bad},
             {"GET", "/shared-images/" + bad}}) {
      auto r = owner().request(method, target, {{"Accept", "application/json"}},
                               method == "PUT" ? "{}" : "");
      EXPECT_EQ(r.status, 400u) << method << " " << target << ": " << r.body;
      if (method != "HEAD") EXPECT_NO_THROW((void)r.json()) << r.body;
    }
  }
}

TEST_F(RegistryHostileInput, FiltersThatAreNotUtf8Are400) {
  image();
  for (const std::string& query : {"name=%FF", "name=a\xff", "property-distro=%C3",
                                   "marker=%ED%A0%80", "property-%FF=x", "sort_key=%F5%80%80%80"}) {
    for (const std::string& list : {"/images", "/images/detail"}) {
      auto r = owner().get(list + "?" + query);
      EXPECT_EQ(r.status, 400u) << list << "?" << query << ": " << r.body;
    }
  }
  EXPECT_EQ(owner().get("/images/detail?name=%C3%BC").status, 200u);
}

TEST_F(RegistryHostileInput, IdentityHeadersThatAreNotUtf8Are400) {
  auto id = image();
  for (const auto& [tenant, user] : std::vector<std::pair<std::string, std::string>>{
           {"tenant-\xff", "user"}, {"tenant", "\xc3"}}) {
    HttpClient stranger(env_->daemon().port(), identity(tenant, "member", user));
    auto created = stranger.post("/images", json{{"image", {{"name", "n"}}}}.dump());
    EXPECT_EQ(created.status, 400u) << created.body;
    EXPECT_EQ(stranger.get("/images/" + id).status, 400u);
  }
}

}  // namespace
}  // namespace glance::testing
