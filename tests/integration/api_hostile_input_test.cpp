// glance-api against JSON bodies nested or sized to hurt it and against bytes that are not
// UTF-8 in paths, x-image-meta headers and filters: each is a 4xx in Glance's format, and the
// daemon goes on serving.

#include "tests/support/api_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

// 400,000 open brackets: deep enough to overflow any recursive parser or serializer.
const std::string kBracketBomb(400000, '[');
// One level more than parse_json allows, as an otherwise well-formed document.
const std::string kThirtyThreeLevels =
    R"({"memberships": )" + std::string(32, '[') + std::string(32, ']') + "}";
// Over the daemon's 1 MiB limit for JSON bodies.
const std::string kHugeBody =
    json{{"memberships", {{{"member_id", std::string(2 << 20, 'x')}}}}}.dump();

// Ill-formed UTF-8, raw and percent-encoded: a stray byte, a truncated sequence, an encoded
// surrogate, an overlong '/'.
const std::vector<std::string> kBadPathSegments = {"%FF", "\xff\xfe", "a%C3", "%ED%A0%80",
                                                   "%C0%AF"};

class ApiHostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(true); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void TearDown() override {
    EXPECT_EQ(alice_.get("/healthcheck").status, 200u) << "glance-api stopped serving";
    EXPECT_TRUE(env_->api().running());
    EXPECT_TRUE(env_->registry().daemon().running());
  }
  std::string alice_image() {
    auto r = alice_.post("/v1/images", "bytes",
                         {{"x-image-meta-name", "target"},
                          {"x-image-meta-disk_format", "raw"},
                          {"x-image-meta-container_format", "bare"},
                          {"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
  void expect_still_serves() { EXPECT_EQ(alice_.get("/healthcheck").status, 200u); }

  static ApiEnvironment* env_;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
};
ApiEnvironment* ApiHostileInput::env_ = nullptr;

TEST_F(ApiHostileInput, DeeplyNestedJsonIs400OnTheMemberRoutes) {
  auto id = alice_image();
  for (const std::string& target :
       {"/v1/images/" + id + "/members", "/v1/images/" + id + "/members/tenant-b"}) {
    for (const auto& body : {kBracketBomb, kThirtyThreeLevels}) {
      auto r = alice_.put(target, body,
                          {{"Content-Type", "application/json"}, {"Accept", "application/json"}});
      EXPECT_EQ(r.status, 400u) << target << ": " << r.body;
      ASSERT_NO_THROW((void)r.json()) << r.body;
      EXPECT_NE(r.json()["message"].get<std::string>().find("nested deeper than 32 levels"),
                std::string::npos)
          << r.body;
      expect_still_serves();
    }
  }
  auto members = alice_.get("/v1/images/" + id + "/members");
  EXPECT_EQ(members.json()["members"], json::array());
}

TEST_F(ApiHostileInput, HugeJsonIs413OnTheMemberRoutes) {
  auto id = alice_image();
  for (const std::string& target :
       {"/v1/images/" + id + "/members", "/v1/images/" + id + "/members/tenant-b"}) {
    auto r = alice_.put(target, kHugeBody, {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 413u) << target << ": " << r.body;
    expect_still_serves();
  }
}

TEST_F(ApiHostileInput, ImageIdsThatAreNotUtf8Are400OnEveryImageRoute) {
  auto id = alice_image();
  for (const auto& bad : kBadPathSegments) {
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/v1/images/" + bad},
             {"HEAD", "/v1/images/" + bad},
             {"PUT", "/v1/images/" + bad},
             {"DELETE", "/v1/images/" + bad},
             {"GET", "/v1/images/" + bad + "/members"},
             {"PUT", "/v1/images/" + bad + "/members"},
             {"PUT", "/v1/images/" + bad + "/members/tenant-b"},
             {"DELETE", "/v1/images/" + bad + "/members/tenant-b"},
             {"PUT", "/v1/images/" + id + "/members/" + bad},
             {"DELETE", "/v1/images/" + id + "/members/" + bad},
             {"GET", "/v1/shared-images/" + bad}}) {
      auto r = alice_.request(method, target, {{"Accept", "application/json"}},
                              method == "PUT" ? "{}" : "");
      EXPECT_EQ(r.status, 400u) << method << " " << target << ": " << r.body;
      if (method != "HEAD") EXPECT_NO_THROW((void)r.json()) << r.body;
    }
    expect_still_serves();
  }
}

TEST_F(ApiHostileInput, ImageHeadersThatAreNotUtf8Are400) {
  const HeaderList formats = {{"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"},
                              {"Content-Type", "application/octet-stream"},
                              {"Accept", "application/json"}};
  auto with = [&](std::string name, std::string value) {
    HeaderList h = formats;
    h.emplace_back(std::move(name), std::move(value));
    return h;
  };
  auto id = alice_image();
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"x-image-meta-name", "a\xff"},
           {"x-image-meta-property-distro", "\xc3"},
           {"x-image-meta-property-kernel", "\xed\xa0\x80"},
           {"x-image-meta-owner", "\xc0\xaf"},
           {"x-image-meta-property-\xff", "x"}}) {
    auto created = alice_.post("/v1/images", "bytes", with(name, value));
    EXPECT_EQ(created.status, 400u) << name << ": " << created.body;
    auto updated = alice_.put("/v1/images/" + id, "", with(name, value));
    EXPECT_EQ(updated.status, 400u) << name << ": " << updated.body;
    expect_still_serves();
  }
  auto shown = alice_.head("/v1/images/" + id);
  EXPECT_EQ(shown.header("x-image-meta-name"), std::optional<std::string>("target"));
  EXPECT_FALSE(shown.header("x-image-meta-property-distro"));
}

TEST_F(ApiHostileInput, FiltersThatAreNotUtf8Are400) {
  alice_image();
  for (const std::string& query :
       {"name=%FF", "name=a\xff", "property-distro=%C3", "marker=%ED%A0%80", "property-%FF=x",
        "container_format=%C0%AF"}) {
    for (const std::string& list : {"/v1/images", "/v1/images/detail"}) {
      auto r = alice_.get(list + "?" + query, {{"Accept", "application/json"}});
      EXPECT_EQ(r.status, 400u) << list << "?" << query << ": " << r.body;
    }
  }
  expect_still_serves();
  EXPECT_EQ(alice_.get("/v1/images/detail?name=%C3%BC").status, 200u);
}

TEST_F(ApiHostileInput, IdentityHeadersThatAreNotUtf8Are400) {
  auto id = alice_image();
  HttpClient stranger = env_->client(identity("tenant-\xff", "member", "mallory"));
  EXPECT_EQ(stranger.get("/v1/images/" + id).status, 400u);
  EXPECT_EQ(stranger.put("/v1/images/" + id + "/members/tenant-b", "").status, 400u);
  EXPECT_EQ(alice_.put("/v1/images/" + id + "/members/tenant-b", "").status, 204u);
}

}  // namespace
}  // namespace glance::testing
