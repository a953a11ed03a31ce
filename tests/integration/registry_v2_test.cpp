// The registry's /v2/images resource: Glance v2's visibility, member status, hidden images,
// tags, filters and sorting, on a real MariaDB, and the v1 routes left as they were.

#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <set>

namespace glance::testing {
namespace {

using nlohmann::json;

// t1: public "alpha" (tags x86 and linux, property os=linux, 100 bytes), private "beta"
// (protected), community "comm", public hidden "hid". t2: shared "gamma", whose member t3
// accepted and t4 has not answered.
class RegistryV2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { guarded_suite_setup(seed, &setup_error_); }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }
  static HttpClient as(const std::string& tenant, const std::string& roles = "member") {
    return HttpClient(env_->daemon().port(), identity(tenant, roles));
  }
  static std::string create(const std::string& tenant, json image) {
    auto r = as(tenant).post("/v2/images", json{{"image", image}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  }
  static void seed() {
    env_ = new RegistryEnvironment("[paste_deploy]\nflavor = trusted-auth\n");
    alpha_ = create("t1", {{"name", "alpha"},
                           {"visibility", "public"},
                           {"size", 100},
                           {"tags", {"x86", "linux", "x86"}},
                           {"properties", {{"os", "linux"}}}});
    beta_ = create("t1", {{"name", "beta"}, {"visibility", "private"}, {"protected", true}});
    comm_ = create("t1", {{"name", "comm"}, {"visibility", "community"}, {"size", 5000}});
    hid_ = create("t1", {{"name", "hid"}, {"visibility", "public"}, {"os_hidden", true}});
    gamma_ = create("t2", {{"name", "gamma"}, {"visibility", "shared"}});
    auto shared =
        as("t2").put("/images/" + gamma_ + "/members",
                     json{{"memberships", {{{"member_id", "t3"}}, {{"member_id", "t4"}}}}}.dump());
    EXPECT_EQ(shared.status, 204u) << shared.body;
    MariadbServer::instance().sql(
        "UPDATE image_members SET status = 'accepted' WHERE member = 't3'", env_->database());
  }
  static void TearDownTestSuite() { delete env_; }

  static std::vector<std::string> names(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<std::string> out;
    if (r.status != 200u) return out;
    for (const auto& i : json_field(r, "images")) out.push_back(i["name"]);
    return out;
  }
  static std::set<std::string> name_set(const HttpResponse& r) {
    auto v = names(r);
    return {v.begin(), v.end()};
  }
  static HttpResponse list(const std::string& tenant, const std::string& query,
                           const std::string& roles = "member") {
    return as(tenant, roles).get("/v2/images/detail?" + query);
  }

  static RegistryEnvironment* env_;
  static std::string setup_error_;
  static std::string alpha_, beta_, comm_, hid_, gamma_;
};
RegistryEnvironment* RegistryV2::env_ = nullptr;
std::string RegistryV2::setup_error_;
std::string RegistryV2::alpha_, RegistryV2::beta_, RegistryV2::comm_, RegistryV2::hid_,
    RegistryV2::gamma_;

using Names = std::set<std::string>;

TEST_F(RegistryV2, ImagesCarryVisibilityTagsAndHiddenOnlyUnderV2) {
  auto v2 = as("t1").get("/v2/images/" + alpha_);
  ASSERT_EQ(v2.status, 200u) << v2.body;
  auto image = v2.json()["image"];
  EXPECT_EQ(image["visibility"], "public");
  EXPECT_EQ(image["os_hidden"], false);
  EXPECT_EQ(image["tags"], json({"linux", "x86"}));
  EXPECT_EQ(image["is_public"], true);
  auto v1 = as("t1").get("/images/" + alpha_);
  ASSERT_EQ(v1.status, 200u);
  for (const char* key : {"visibility", "os_hidden", "tags"})
    EXPECT_FALSE(v1.json()["image"].contains(key)) << key;
  EXPECT_EQ(as("t1").get("/v2/images/" + beta_).json()["image"]["visibility"], "private");
  EXPECT_EQ(as("t1").get("/images/" + beta_).json()["image"]["is_public"], false);
}

TEST_F(RegistryV2, DefaultListFollowsUpstreamV2Visibility) {
  EXPECT_EQ(name_set(list("t1", "")), (Names{"alpha", "beta", "comm"}));
  EXPECT_EQ(name_set(list("t2", "")), (Names{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t3", "")), (Names{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t4", "")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t4", "member_status=pending")), (Names{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t4", "member_status=all")), (Names{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t3", "member_status=pending")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t3", "visibility=community")), (Names{"comm"}));
  EXPECT_EQ(name_set(list("t3", "visibility=private")), Names{});
  EXPECT_EQ(name_set(list("t1", "visibility=private")), (Names{"beta"}));
  EXPECT_EQ(name_set(list("t3", "visibility=shared")), (Names{"gamma"}));
  // Admins see every image but other tenants' community ones unless they ask.
  EXPECT_EQ(name_set(list("adm", "", "admin")), (Names{"alpha", "beta", "gamma"}));
  EXPECT_EQ(name_set(list("adm", "visibility=community", "admin")), (Names{"comm"}));
}

TEST_F(RegistryV2, V1ListsAreUnchanged) {
  auto r = as("t3").get("/images/detail");
  EXPECT_EQ(name_set(r), (Names{"alpha", "gamma", "hid"}));
  for (const auto& i : json_field(r, "images")) EXPECT_FALSE(i.contains("tags"));
  // v1 ignores v2's parameters.
  EXPECT_EQ(name_set(as("t3").get("/images/detail?visibility=community&os_hidden=true")),
            (Names{"alpha", "gamma", "hid"}));
}

TEST_F(RegistryV2, HiddenImagesOnlyWhenAsked) {
  EXPECT_EQ(name_set(list("t2", "os_hidden=true")), (Names{"hid"}));
  EXPECT_EQ(name_set(list("t2", "os_hidden=TRUE")), (Names{"hid"}));
  EXPECT_EQ(as("t2").get("/v2/images/" + hid_).json()["image"]["os_hidden"], true);
}

TEST_F(RegistryV2, FiltersTagsPropertiesColumnsAndTimes) {
  EXPECT_EQ(name_set(list("t1", "tag=x86")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t1", "tag=x86&tag=linux")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t1", "tag=x86&tag=arm")), Names{});
  EXPECT_EQ(name_set(list("t1", "os=linux")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t1", "owner=t1&visibility=public")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t1", "protected=true")), (Names{"beta"}));
  EXPECT_EQ(name_set(list("t1", "size_min=101")), (Names{"comm"}));
  EXPECT_EQ(name_set(list("t1", "size_max=100")), (Names{"alpha"}));
  EXPECT_EQ(name_set(list("t1", "name=in:alpha,\"beta\"")), (Names{"alpha", "beta"}));
  EXPECT_EQ(name_set(list("t1", "id=in:" + alpha_ + "," + comm_)), (Names{"alpha", "comm"}));
  EXPECT_EQ(name_set(list("t1", "created_at=lt:2999-01-01T00:00:00Z")),
            (Names{"alpha", "beta", "comm"}));
  EXPECT_EQ(name_set(list("t1", "created_at=gte:2999-01-01T00:00:00Z")), Names{});
  EXPECT_EQ(name_set(list("t1", "updated_at=neq:2000-01-01T00:00:00Z")),
            (Names{"alpha", "beta", "comm"}));
}

TEST_F(RegistryV2, SortsByManyKeysAndPagesWithMarkers) {
  EXPECT_EQ(names(list("t1", "sort=name:asc")),
            (std::vector<std::string>{"alpha", "beta", "comm"}));
  EXPECT_EQ(names(list("t1", "sort=name:desc")),
            (std::vector<std::string>{"comm", "beta", "alpha"}));
  EXPECT_EQ(names(list("t1", "sort_key=size&sort_key=name&sort_dir=desc&sort_dir=asc")),
            (std::vector<std::string>{"comm", "alpha", "beta"}));
  std::vector<std::string> paged;
  std::string marker;
  for (int i = 0; i < 5; ++i) {
    auto r = list("t1", "sort=name:asc&limit=1" + (marker.empty() ? "" : "&marker=" + marker));
    auto page = json_field(r, "images");
    if (page.empty()) break;
    paged.push_back(page[0]["name"]);
    marker = page[0]["id"];
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"alpha", "beta", "comm"}));
}

TEST_F(RegistryV2, BadParametersAre400WithUpstreamWords) {
  struct Case {
    std::string query, words;
  };
  for (const auto& c : std::vector<Case>{
           {"visibility=everyone", "Invalid visibility value: everyone"},
           {"member_status=maybe", "Invalid status: maybe"},
           {"os_hidden=maybe", "Invalid value 'maybe' for 'os_hidden' filter"},
           {"protected=yes", "Invalid value 'yes' for 'protected' filter"},
           {"sort_key=owner", "Invalid sort key: owner"},
           {"sort=name:sideways", "Invalid sort direction: sideways"},
           {"sort=name&sort_key=size", "Old and new sorting syntax cannot be combined"},
           {"sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc",
            "Number of sort dirs does not match"},
           {"created_at=gt:yesterday", "Bad \"created_at\" query filter format"},
           {"updated_at=around:2020-01-01T00:00:00Z", "unknown operator"},
           {"name=like:alpha", "Unable to filter by unknown operator 'like'"},
           {"name=in:\"alpha", "quote"},
           {"size_min=big", "non-numeric"},
           {"changes-since=2020-01-01T00:00:00Z", "no longer available on v2"},
           {"limit=-1", "limit param must be positive"},
           {"limit=ten", "limit param must be an integer"},
           {"marker=00000000-0000-4000-8000-000000000000", "No image found with ID"},
           {"marker=not-an-id", "No image found with ID"},
       }) {
    auto r = list("t1", c.query);
    EXPECT_EQ(r.status, 400u) << c.query;
    EXPECT_NE(r.body.find(c.words), std::string::npos) << c.query << ": " << r.body;
  }
  // Another tenant's private image is no marker either.
  EXPECT_EQ(list("t3", "marker=" + beta_).status, 400u);
}

TEST_F(RegistryV2, WritesReplaceTagsAndCheckValues) {
  auto id = create("t1", {{"name", "tagged"}, {"visibility", "private"}, {"tags", {"a", "b"}}});
  auto r = as("t1").put("/v2/images/" + id, json{{"image", {{"tags", {"b", "c"}}}}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["image"]["tags"], json({"b", "c"}));
  auto bad = as("t1").post("/v2/images", json{{"image", {{"visibility", "world"}}}}.dump());
  EXPECT_EQ(bad.status, 400u);
  bad = as("t1").post("/v2/images", json{{"image", {{"tags", {std::string(256, 't')}}}}}.dump());
  EXPECT_EQ(bad.status, 400u);
  bad = as("t1").post("/v2/images", json{{"image", {{"tags", "a"}}}}.dump());
  EXPECT_EQ(bad.status, 400u);
  // v1 routes ignore v2 fields.
  auto v1 = as("t1").put("/images/" + id, json{{"image", {{"visibility", "public"}}}}.dump());
  ASSERT_EQ(v1.status, 200u);
  EXPECT_EQ(as("t1").get("/v2/images/" + id).json()["image"]["visibility"], "private");
  EXPECT_EQ(as("t1").del("/v2/images/" + id).status, 200u);
  EXPECT_EQ(as("t1").get("/v2/images/" + id).status, 404u);
}

// A location list that names locations by id is a compare-and-set of the whole set, written
// in one transaction with the image row.
TEST_F(RegistryV2, LocationsByIdAreACompareAndSetOfTheSet) {
  auto id = create("t1", {{"name", "located"}, {"visibility", "private"}});
  auto put = [&](const json& image) {
    return as("t1").put("/v2/images/" + id, json{{"image", image}}.dump());
  };
  auto located = [&](const HttpResponse& r) {
    std::vector<std::pair<int64_t, std::string>> out;
    const json body = r.json();
    for (const auto& l : body["image"]["location_data"]) out.emplace_back(l["id"], l["url"]);
    return out;
  };
  auto r = put({{"status", "active"},
                {"location_data", {{{"url", "http://a/1"}}, {{"url", "http://a/2"}}}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto first = located(r);
  ASSERT_EQ(first.size(), 2u);
  const int64_t one = first[0].first, two = first[1].first;
  const json before = as("t1").get("/v2/images/" + id).json();

  // A writer who knew only of the first location, one who names a location that is gone,
  // and one who names another image's: refused, and the image row is not written either.
  for (const json& locations : {
           json{{{"id", one}, {"url", "http://a/1"}}, {{"url", "http://a/3"}}},
           json{{{"id", one}, {"url", "http://a/1"}},
                {{"id", two}, {"url", "http://a/2"}},
                {{"id", two + 1000}, {"url", "http://a/9"}}},
       }) {
    r = put({{"name", "changed"}, {"location_data", locations}});
    EXPECT_EQ(r.status, 409u) << locations.dump() << ": " << r.body;
  }
  EXPECT_EQ(as("t1").get("/v2/images/" + id).json(), before);

  // Naming every live one: one removed, one kept with new metadata, one added.
  r = put({{"name", "changed"},
           {"location_data",
            {{{"id", one}, {"url", "http://a/1"}, {"status", "deleted"}},
             {{"id", two}, {"url", "http://a/2"}, {"metadata", {{"k", "v"}}}},
             {{"url", "http://a/3"}}}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto now = located(r);
  ASSERT_EQ(now.size(), 2u) << r.body;
  EXPECT_EQ(now[0], std::make_pair(two, std::string("http://a/2")));
  EXPECT_EQ(now[1].second, "http://a/3");
  EXPECT_EQ(r.json()["image"]["location_data"][0]["metadata"], json({{"k", "v"}}));
  EXPECT_EQ(r.json()["image"]["name"], "changed");
  // The removed one is not brought back by its id.
  r = put({{"location_data",
            {{{"id", one}, {"url", "http://a/1"}},
             {{"id", two}, {"url", "http://a/2"}},
             {{"id", now[1].first}, {"url", "http://a/3"}}}}});
  EXPECT_EQ(r.status, 409u) << r.body;
  // A list without ids still replaces the set, as v1 writes it.
  r = put({{"location_data", {{{"url", "http://a/4"}}}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(located(r).size(), 1u);
  EXPECT_EQ(located(r)[0].second, "http://a/4");
}

// v1 takes an owner from admins only; v2 from whoever may change the image, unless the change
// would hide the image from its caller (then nothing is written).
TEST_F(RegistryV2, OwnerChangesFollowEachVersionsRule) {
  const auto put_owner = [](const std::string& prefix, const std::string& id, const json& owner) {
    return as("t5").put(prefix + "/images/" + id, json{{"image", {{"owner", owner}}}}.dump());
  };
  const auto owner_of = [](const std::string& id) {
    return as("t0", "admin").get("/v2/images/" + id).json()["image"]["owner"];
  };
  const std::string pub = create("t5", {{"name", "owner-pub"}, {"visibility", "public"}});
  const std::string priv = create("t5", {{"name", "owner-priv"}, {"visibility", "private"}});
  EXPECT_EQ(put_owner("", pub, "t6").status, 200u);
  EXPECT_EQ(owner_of(pub), "t5");
  auto hidden = put_owner("/v2", priv, "t6");
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_NE(hidden.body.find("No image found with ID " + priv), std::string::npos) << hidden.body;
  EXPECT_EQ(owner_of(priv), "t5");
  auto given = put_owner("/v2", pub, "t6");
  ASSERT_EQ(given.status, 200u) << given.body;
  EXPECT_EQ(given.json()["image"]["owner"], "t6");
  EXPECT_EQ(put_owner("/v2", pub, "t5").status, 403u);  // no longer t5's to change
  // An empty owner is no owner, and an ownerless image stays visible.
  auto emptied = as("t6").put("/v2/images/" + pub, R"({"image": {"owner": ""}})");
  ASSERT_EQ(emptied.status, 200u) << emptied.body;
  EXPECT_TRUE(owner_of(pub).is_null());
}

}  // namespace
}  // namespace glance::testing
