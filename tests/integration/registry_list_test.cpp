// Registry listing: filters, sorting, marker paging and visibility, on a real MariaDB.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <set>

namespace glance::testing {
namespace {

using nlohmann::json;

// A registry that trusts identity headers, with a fixed set of images:
//   t1: public "alpha" (qcow2, 100 bytes, property os=linux), private "beta" (raw, 2000)
//   t2: private "gamma" shared with t3, killed "delta", public "epsilon" deleted
class RegistryList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { guarded_suite_setup(seed, &setup_error_); }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }
  static void seed() {
    env_ = new RegistryEnvironment("[paste_deploy]\nflavor = trusted-auth\n");
    auto as = [](const std::string& t) { return HttpClient(env_->daemon().port(), identity(t)); };
    auto admin = HttpClient(env_->daemon().port(), identity("adm", "admin"));
    auto create = [](const HttpClient& c, json image) {
      auto r = c.post("/images", json{{"image", image}}.dump());
      EXPECT_EQ(r.status, 200u) << r.body;
      return r.json()["image"]["id"].get<std::string>();
    };
    alpha_ = create(admin, {{"name", "alpha"},
                            {"owner", "t1"},
                            {"is_public", true},
                            {"disk_format", "qcow2"},
                            {"container_format", "bare"},
                            {"size", 100},
                            {"min_ram", 512},
                            {"properties", {{"os", "linux"}}}});
    beta_ = create(as("t1"),
                   {{"name", "beta"}, {"disk_format", "raw"}, {"size", 2000}, {"protected", true}});
    gamma_ = create(as("t2"), {{"name", "gamma"}, {"size", 300}});
    delta_ = create(as("t2"), {{"name", "delta"}, {"status", "killed"}});
    epsilon_ = create(admin, {{"name", "epsilon"}, {"owner", "t2"}, {"is_public", true}});
    EXPECT_EQ(as("t2")
                  .put("/images/" + gamma_ + "/members",
                       json{{"memberships", {{{"member_id", "t3"}}}}}.dump())
                  .status,
              204u);
    EXPECT_EQ(as("t2").del("/images/" + epsilon_).status, 200u);
  }
  static void TearDownTestSuite() { delete env_; }

  static std::vector<std::string> names(const HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& i : json_field(r, "images")) out.push_back(i["name"]);
    return out;
  }
  static std::set<std::string> name_set(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200u) << r.body;
    auto v = names(r);
    return {v.begin(), v.end()};
  }
  HttpResponse list(const std::string& tenant, const std::string& query,
                    const std::string& roles = "member") const {
    return HttpClient(env_->daemon().port(), identity(tenant, roles))
        .get("/images/detail?" + query);
  }

  static RegistryEnvironment* env_;
  static std::string setup_error_;
  static std::string alpha_, beta_, gamma_, delta_, epsilon_;
};
RegistryEnvironment* RegistryList::env_ = nullptr;
std::string RegistryList::setup_error_;
std::string RegistryList::alpha_, RegistryList::beta_, RegistryList::gamma_, RegistryList::delta_,
    RegistryList::epsilon_;

TEST_F(RegistryList, TenantsSeePublicOwnAndSharedWithThem) {
  EXPECT_EQ(name_set(list("t1", "")), (std::set<std::string>{"alpha", "beta"}));
  EXPECT_EQ(name_set(list("t2", "")), (std::set<std::string>{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t3", "")), (std::set<std::string>{"alpha", "gamma"}));
  EXPECT_EQ(name_set(list("t4", "")), (std::set<std::string>{"alpha"}));
  // is_public is ignored for non-admins, even a value an admin would be refused.
  EXPECT_EQ(name_set(list("t4", "is_public=none")), (std::set<std::string>{"alpha"}));
  EXPECT_EQ(name_set(list("t4", "is_public=maybe")), (std::set<std::string>{"alpha"}));
  EXPECT_EQ(list("adm", "is_public=maybe", "admin").status, 400u);
  // protected=none is no boolean, whoever asks.
  EXPECT_EQ(list("t4", "protected=none").status, 400u);
}

TEST_F(RegistryList, AdminsListAsUsersUnlessIsPublicSaysOtherwise) {
  EXPECT_EQ(name_set(list("adm", "", "admin")), (std::set<std::string>{"alpha"}));
  EXPECT_EQ(name_set(list("adm", "is_public=none", "admin")),
            (std::set<std::string>{"alpha", "beta", "gamma"}));
  EXPECT_EQ(name_set(list("adm", "is_public=false", "admin")),
            (std::set<std::string>{"beta", "gamma"}));
  EXPECT_EQ(name_set(list("adm", "is_public=none&deleted=true", "admin")),
            (std::set<std::string>{"epsilon"}));
}

TEST_F(RegistryList, UnconfirmedIdentityIs401) {
  auto r = HttpClient(env_->daemon().port()).get("/images");
  EXPECT_EQ(r.status, 401u);
}

TEST_F(RegistryList, ChangesSinceIncludesDeletedAndKilled) {
  auto r = list("adm", "is_public=none&changes-since=2000-01-01T00:00:00", "admin");
  EXPECT_EQ(name_set(r), (std::set<std::string>{"alpha", "beta", "gamma", "delta", "epsilon"}));
  EXPECT_TRUE(
      names(list("adm", "is_public=none&changes-since=2999-01-01T00:00:00", "admin")).empty());
}

TEST_F(RegistryList, Filters) {
  auto all = [&](const std::string& q) {
    return name_set(list("adm", "is_public=none&" + q, "admin"));
  };
  EXPECT_EQ(all("name=alpha"), std::set<std::string>{"alpha"});
  EXPECT_EQ(all("name=ALPHA"), std::set<std::string>{"alpha"});  // MySQL collation, as upstream
  EXPECT_EQ(all("name=in:alpha,gamma"), (std::set<std::string>{"alpha", "gamma"}));
  EXPECT_EQ(all("disk_format=raw"), std::set<std::string>{"beta"});
  EXPECT_EQ(all("size_min=200"), (std::set<std::string>{"beta", "gamma"}));
  EXPECT_EQ(all("size_min=200&size_max=1000"), std::set<std::string>{"gamma"});
  EXPECT_EQ(all("min_ram=512"), std::set<std::string>{"alpha"});
  EXPECT_EQ(all("protected=true"), std::set<std::string>{"beta"});
  EXPECT_EQ(all("property-os=linux"), std::set<std::string>{"alpha"});
  EXPECT_EQ(all("property-os=windows"), std::set<std::string>{});
  EXPECT_EQ(all("status=killed"), std::set<std::string>{});  // killed never listed
}

TEST_F(RegistryList, BadParametersAre400) {
  for (const char* q :
       {"limit=-1", "limit=abc", "sort_key=foo", "sort_dir=up", "marker=bad", "size_min=-1",
        "protected=maybe", "is_public=public", "changes-since=nope", "name=gt:x"}) {
    auto r = list("adm", q, "admin");
    EXPECT_EQ(r.status, 400u) << q << " " << r.body;
  }
  auto unknown_marker = list("t1", "marker=0e7c0c2e-0000-4000-8000-00000000abcd");
  EXPECT_EQ(unknown_marker.status, 400u);
  EXPECT_NE(unknown_marker.body.find("Invalid marker. Image could not be found."),
            std::string::npos);
  // A marker the caller cannot see is as unknown as a missing one.
  EXPECT_EQ(list("t4", "marker=" + beta_).status, 400u);
}

TEST_F(RegistryList, SortingAndBriefForm) {
  auto asc = names(list("adm", "is_public=none&sort_key=name&sort_dir=asc", "admin"));
  EXPECT_EQ(asc, (std::vector<std::string>{"alpha", "beta", "gamma"}));
  auto by_size = names(list("adm", "is_public=none&sort_key=size&sort_dir=desc", "admin"));
  EXPECT_EQ(by_size, (std::vector<std::string>{"beta", "gamma", "alpha"}));
  auto default_order = names(list("adm", "is_public=none", "admin"));
  EXPECT_EQ(default_order,
            (std::vector<std::string>{"gamma", "beta", "alpha"}));  // created_at desc
  auto brief = HttpClient(env_->daemon().port(), identity("t1")).get("/images");
  ASSERT_EQ(brief.status, 200u);
  for (const auto& i : json_field(brief, "images")) {
    EXPECT_EQ(i.size(), 6u);
    EXPECT_TRUE(i.contains("checksum"));
  }
}

TEST_F(RegistryList, MarkerPagingWalksEveryImageOnce) {
  std::vector<std::string> seen;
  std::string marker;
  for (int page = 0; page < 10; ++page) {
    std::string q = "is_public=none&limit=1&sort_key=name&sort_dir=desc";
    if (!marker.empty()) q += "&marker=" + marker;
    auto r = list("adm", q, "admin");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto images = r.json()["images"];
    if (images.empty()) break;
    seen.push_back(images[0]["name"]);
    marker = images[0]["id"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"gamma", "beta", "alpha"}));
  EXPECT_TRUE(names(list("adm", "is_public=none&limit=0", "admin")).empty());
}

TEST_F(RegistryList, PagingThroughTiesAndNullsVisitsEachImageOnce) {
  HttpClient pager(env_->daemon().port(), identity("pager"));
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) {
    json image = {{"name", i == 4 ? json(nullptr) : json("tie")}, {"size", 7}};
    auto r = pager.post("/images", json{{"image", image}}.dump());
    ASSERT_EQ(r.status, 200u);
    created.insert(r.json()["image"]["id"].get<std::string>());
  }
  for (const char* order : {"sort_key=size&sort_dir=asc", "sort_key=name&sort_dir=desc",
                            "sort_key=updated_at&sort_dir=asc", "sort_key=id&sort_dir=desc"}) {
    std::vector<std::string> seen;
    std::string marker;
    for (int page = 0; page < 10; ++page) {
      std::string q = std::string(order) + "&limit=2&size_min=7&size_max=7";
      if (!marker.empty()) q += "&marker=" + marker;
      auto r = pager.get("/images/detail?" + q);
      ASSERT_EQ(r.status, 200u) << r.body;
      auto images = json_field(r, "images");
      for (const auto& i : images) seen.push_back(i["id"]);
      if (images.size() < 2) break;
      marker = images.back()["id"];
    }
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), created) << order;
    EXPECT_EQ(seen.size(), created.size()) << order;
  }
}

TEST_F(RegistryList, StorageUsageCountsLiveLocatedImagesOfAnOwner) {
  HttpClient mine(env_->daemon().port(), identity("usage-owner"));
  auto located = json{{"image", {{"size", 100}, {"location", "file:///a"}}}};
  ASSERT_EQ(mine.post("/images", located.dump()).status, 200u);
  auto second =
      mine.post("/images", json{{"image", {{"size", 50}, {"location", "file:///b"}}}}.dump());
  std::string second_id = second.json()["image"]["id"];
  mine.post("/images", json{{"image", {{"size", 70}, {"status", "killed"}}}}.dump());
  mine.post("/images", json{{"image", {{"size", 30}}}}.dump());  // no data stored yet
  EXPECT_EQ(mine.get("/usage/usage-owner").json()["usage"], 150);
  EXPECT_EQ(mine.get("/usage/usage-owner?exclude_image=" + second_id).json()["usage"], 100);
  EXPECT_EQ(HttpClient(env_->daemon().port(), identity("nosy")).get("/usage/usage-owner").status,
            403u);
  EXPECT_EQ(HttpClient(env_->daemon().port(), identity("adm", "admin"))
                .get("/usage/usage-owner")
                .json()["usage"],
            150);
}

TEST_F(RegistryList, VisibilityOnShowUpdateAndDelete) {
  auto c = [](const std::string& t) { return HttpClient(env_->daemon().port(), identity(t)); };
  EXPECT_EQ(c("t3").get("/images/" + gamma_).status, 200u);    // member
  EXPECT_EQ(c("t4").get("/images/" + gamma_).status, 404u);    // stranger: 404, not 403
  EXPECT_EQ(c("t1").get("/images/" + epsilon_).status, 404u);  // deleted: admins only
  EXPECT_EQ(
      HttpClient(env_->daemon().port(), identity("adm", "admin")).get("/images/" + epsilon_).status,
      200u);
  auto rename = json{{"image", {{"name", "x"}}}}.dump();
  EXPECT_EQ(c("t4").put("/images/" + alpha_, rename).status, 403u);  // public, not owned
  EXPECT_EQ(c("t3").put("/images/" + gamma_, rename).status, 404u);  // member cannot modify
  EXPECT_EQ(c("t3").del("/images/" + gamma_).status, 404u);
  EXPECT_EQ(c("t4").del("/images/" + alpha_).status, 403u);
  // A non-admin's owner is forced to its tenant, and cannot be changed.
  auto own = c("t5").post("/images", json{{"image", {{"owner", "t1"}}}}.dump());
  EXPECT_EQ(own.json()["image"]["owner"], "t5");
  std::string id = own.json()["image"]["id"];
  auto moved = c("t5").put("/images/" + id, json{{"image", {{"owner", "t1"}}}}.dump());
  EXPECT_EQ(moved.json()["image"]["owner"], "t5");
}

}  // namespace
}  // namespace glance::testing
