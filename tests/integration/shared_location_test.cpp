// Images that share their data's url, on the file store: deleting one, outright or with
// delayed_delete and the scrubber, leaves the data while another live image has it as a
// location, and the last one's delete takes it. Another tenant's image that names your data
// cannot get it deleted.

#include "tests/support/api_fixture.h"
#include "tests/support/process_health.h"
#include "tests/support/scrubber_runner.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

const HeaderList kAlice = identity("tenant-a", "member", "alice");

class SharedLocation : public ::testing::Test {
 protected:
  explicit SharedLocation(bool delayed)
      : env_(true, delayed ? "delayed_delete = True\n" : "delayed_delete = False\n") {}

  std::string upload(HttpClient& c, const std::string& data, const std::string& name) {
    auto r = c.post("/v1/images", data, with(kRawBare, {{"x-image-meta-name", name}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : std::string();
  }
  // The url of the image's data, as the registry stores it.
  std::string url_of(const std::string& id) {
    auto r = registry().get("/images/" + id);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["location"].get<std::string>();
  }
  // An active image of `owner` whose one location is `url`, written as any of the registry's
  // trusted callers may write it (glance-api refuses file urls from clients, but the rows
  // can come from elsewhere: another tool, an older release, an operator).
  std::string register_at(const std::string& owner, const std::string& url, size_t size) {
    json image = {{"name", "shared"},
                  {"status", "active"},
                  {"disk_format", "raw"},
                  {"container_format", "bare"},
                  {"owner", owner},
                  {"size", size},
                  {"location_data", {{{"url", url}, {"metadata", json::object()}}}}};
    auto r = registry().post("/images", json{{"image", image}}.dump(),
                             {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200 ? r.json()["image"]["id"].get<std::string>() : std::string();
  }
  HttpClient registry() {
    return HttpClient(env_.registry().daemon().port(), identity("tenant-admin", "admin", "root"));
  }
  std::string status_of(const std::string& id) {
    return admin_.head("/v1/images/" + id).header("x-image-meta-status").value_or("(none)");
  }
  std::string file_of(const std::string& id) const { return env_.datadir() + "/" + id; }
  void expect_reads(HttpClient& c, const std::string& id, const std::string& data) {
    auto r = c.get("/v1/images/" + id);
    EXPECT_EQ(r.status, 200u) << id;
    EXPECT_EQ(r.body, data) << id;
  }
  ScrubberRun scrub() { return run_scrubber(env_.api().config_path(), "[DEFAULT]\n"); }

  ApiEnvironment env_;
  HttpClient alice_ = env_.client(kAlice);
  HttpClient bob_ = env_.client(identity("tenant-b", "member", "bob"));
  HttpClient admin_ = env_.client(identity("tenant-admin", "admin", "root"));
};

class SharedLocationDelete : public SharedLocation {
 protected:
  SharedLocationDelete() : SharedLocation(false) {}
};

class SharedLocationScrub : public SharedLocation {
 protected:
  SharedLocationScrub() : SharedLocation(true) {}
};

TEST_F(SharedLocationDelete, TheDataStaysForTheOtherImageAndGoesWithTheLast) {
  const std::string data = random_bytes(200000, 71);
  const std::string first = upload(alice_, data, "first");
  const std::string url = url_of(first);
  const std::string second = register_at("tenant-a", url, data.size());

  ASSERT_EQ(alice_.del("/v1/images/" + first).status, 200u);
  EXPECT_EQ(status_of(first), "deleted");
  EXPECT_TRUE(fs::exists(file_of(first)));
  expect_reads(alice_, second, data);
  EXPECT_NE(env_.api().log().find("another live image uses it"), std::string::npos);

  // The last image's delete (v2 this time) takes the data: nothing is left behind.
  ASSERT_EQ(alice_.del("/v2/images/" + second).status, 204u);
  EXPECT_FALSE(fs::exists(file_of(first)));
  EXPECT_EQ(env_.stored_files(), 0u);
}

TEST_F(SharedLocationDelete, TwoImagesDeletedAtOnceLeaveNothingBehind) {
  for (int round = 0; round < 4; ++round) {
    const std::string data = random_bytes(50000, 80 + round);
    const std::string first = upload(alice_, data, "first");
    const std::string second = register_at("tenant-a", url_of(first), data.size());
    unsigned a = 0, b = 0;
    std::thread other([&] { a = env_.client(kAlice).del("/v1/images/" + first).status; });
    b = env_.client(kAlice).del("/v2/images/" + second).status;
    other.join();
    EXPECT_EQ(a, 200u);
    EXPECT_EQ(b, 204u);
    // Whichever mark came second saw the first: one of the two deletes took the data.
    EXPECT_FALSE(fs::exists(file_of(first))) << "round " << round;
    EXPECT_EQ(status_of(first), "deleted");
    EXPECT_EQ(status_of(second), "deleted");
  }
  EXPECT_EQ(env_.stored_files(), 0u);
}

TEST_F(SharedLocationDelete, AnotherTenantsImageNamingYourDataCannotGetItDeleted) {
  // Each kind of request once before the baseline, so that what the api starts at first use
  // (its registry connections, their resolver's thread) is in it.
  for (const char* route : {"/v1/images/", "/v2/images/"}) {
    const std::string warm = upload(alice_, random_bytes(1000, 89), "warm-up");
    expect_reads(alice_, warm, random_bytes(1000, 89));
    ASSERT_LT(alice_.del(route + warm).status, 300u);
  }
  const auto baseline = ProcessHealth::snapshot(env_.api().pid());
  const std::string data = random_bytes(120000, 90);
  const std::string victim = upload(alice_, data, "alice's");
  const std::string url = url_of(victim);
  // Bob's images name Alice's data; he deletes them through both APIs.
  const std::string v1 = register_at("tenant-b", url, data.size());
  const std::string v2 = register_at("tenant-b", url, data.size());
  ASSERT_EQ(bob_.del("/v1/images/" + v1).status, 200u);
  ASSERT_EQ(bob_.del("/v2/images/" + v2).status, 204u);
  EXPECT_EQ(status_of(v1), "deleted");
  EXPECT_EQ(status_of(v2), "deleted");
  EXPECT_TRUE(fs::exists(file_of(victim)));
  expect_reads(alice_, victim, data);
  // Bob's deleted images keep nothing alive: Alice's own delete takes her data.
  ASSERT_EQ(alice_.del("/v1/images/" + victim).status, 200u);
  EXPECT_FALSE(fs::exists(file_of(victim)));
  EXPECT_EQ(env_.stored_files(), 0u);
  expect_recovered(env_.api(), baseline);
}

TEST_F(SharedLocationDelete, TheRegistrysAnswerToTheMarkSaysWhichDataIsInUse) {
  const std::string data = random_bytes(1000, 91);
  const std::string first = upload(alice_, data, "first");
  const std::string url = url_of(first);
  const std::string second = register_at("tenant-a", url, data.size());
  const std::string alone = upload(alice_, data, "alone");
  // What glance-api's delete sends first; an older api ignores the extra member.
  for (const auto& [id, used] : {std::pair{first, true}, std::pair{alone, false}}) {
    auto r = registry().put("/images/" + id, json{{"image", {{"status", "deleted"}}}}.dump(),
                            {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto locations = r.json()["image"]["location_data"];
    ASSERT_EQ(locations.size(), 1u) << r.body;
    EXPECT_EQ(locations[0]["in_use"], used) << r.body;
  }
  // Other answers do not carry it.
  auto shown = registry().get("/images/" + second);
  EXPECT_FALSE(shown.json()["image"]["location_data"][0].contains("in_use")) << shown.body;
}

TEST_F(SharedLocationScrub, TheScrubberKeepsTheDataForTheOtherImageAndTakesItWithTheLast) {
  const std::string data = random_bytes(150000, 72);
  const std::string first = upload(alice_, data, "first");
  const std::string second = register_at("tenant-a", url_of(first), data.size());

  ASSERT_EQ(alice_.del("/v1/images/" + first).status, 200u);
  ASSERT_EQ(status_of(first), "pending_delete");
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(status_of(first), "deleted") << run.output;
  EXPECT_NE(run.output.find("another live image uses it"), std::string::npos) << run.output;
  EXPECT_TRUE(fs::exists(file_of(first)));
  expect_reads(alice_, second, data);

  ASSERT_EQ(alice_.del("/v1/images/" + second).status, 200u);
  ASSERT_EQ(status_of(second), "pending_delete");
  auto last = scrub();
  ASSERT_EQ(last.status, 0) << last.output;
  EXPECT_EQ(status_of(second), "deleted") << last.output;
  EXPECT_FALSE(fs::exists(file_of(first))) << last.output;
  EXPECT_EQ(env_.stored_files(), 0u);
}

TEST_F(SharedLocationScrub, TwoPendingDeletesSharingDataLeaveNothingBehind) {
  const std::string data = random_bytes(60000, 73);
  const std::string first = upload(alice_, data, "first");
  const std::string second = register_at("tenant-a", url_of(first), data.size());
  ASSERT_EQ(alice_.del("/v1/images/" + first).status, 200u);
  ASSERT_EQ(alice_.del("/v2/images/" + second).status, 204u);
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(status_of(first), "deleted") << run.output;
  EXPECT_EQ(status_of(second), "deleted") << run.output;
  EXPECT_FALSE(fs::exists(file_of(first))) << run.output;
  EXPECT_EQ(env_.stored_files(), 0u);
}

TEST_F(SharedLocationScrub, AnotherTenantsImageNamingYourDataCannotGetItScrubbed) {
  const std::string data = random_bytes(90000, 92);
  const std::string victim = upload(alice_, data, "alice's");
  const std::string thief = register_at("tenant-b", url_of(victim), data.size());
  ASSERT_EQ(bob_.del("/v1/images/" + thief).status, 200u);
  ASSERT_EQ(status_of(thief), "pending_delete");
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(status_of(thief), "deleted") << run.output;
  EXPECT_TRUE(fs::exists(file_of(victim))) << run.output;
  expect_reads(alice_, victim, data);
  EXPECT_EQ(status_of(victim), "active");
}

}  // namespace
}  // namespace glance::testing
