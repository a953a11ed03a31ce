// glance-scrubber and the locations removed from live images with delayed_delete (Images API
// v2 PATCH "remove /locations/N" leaves the row pending_delete and its data in place): after
// scrub_time a pass deletes the data of the image's own upload and marks the row deleted,
// the image staying active and readable from its other location; once each with two
// scrubbers at work; a store refusing keeps the row pending_delete for the next pass; data a
// live image still uses, or that is not the image's own upload, is never deleted. Real
// glance-api, glance-registry, MariaDB and an HTTP server holding the other location's data.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/scrubber_runner.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
const HeaderList kOctets = {{"Content-Type", "application/octet-stream"}};
const HeaderList kPatch = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};

// "location <n> of image <id> scrubbed" lines of the scrubbers' logs, counted per location.
std::map<std::string, int> scrubbed_locations(const std::string& log) {
  std::map<std::string, int> ids;
  static const std::regex line("location ([0-9]+) of image [0-9a-f-]{36} scrubbed");
  for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it)
    ++ids[(*it)[1].str()];
  return ids;
}

// An image with an uploaded copy and an http copy of the same bytes, whose uploaded location
// was then removed through v2: the row pending_delete, the file still there.
struct RemovedUpload {
  std::string image_id;
  std::string file;         // where the upload's data is
  std::string location_id;  // the pending_delete row
  std::string data;
};

class ScrubberRemovedLocations : public ::testing::Test {
 protected:
  RemovedUpload removed_upload(unsigned seed) {
    RemovedUpload out;
    out.data = random_bytes(4096 + seed, seed);
    auto created = admin_.post("/v2/images",
                               json({{"name", "removed-" + std::to_string(seed)},
                                     {"disk_format", "raw"},
                                     {"container_format", "bare"}})
                                   .dump(),
                               kJson);
    EXPECT_EQ(created.status, 201u) << created.body;
    if (created.status != 201u) return out;
    out.image_id = created.json()["id"];
    EXPECT_EQ(admin_.put("/v2/images/" + out.image_id + "/file", out.data, kOctets).status, 204u);
    const std::string object = "/copy-" + std::to_string(seed);
    source_.put(object, out.data);
    auto added = patch(out.image_id,
                       {{{"op", "add"},
                         {"path", "/locations/-"},
                         {"value", {{"url", source_.url(object)}, {"metadata", json::object()}}}}});
    EXPECT_EQ(added.status, 200u) << added.body;
    if (added.status != 200u) return out;
    // The upload is the first location.
    const json locations = added.json()["locations"];
    EXPECT_EQ(locations.size(), 2u) << added.body;
    const std::string url = locations[0]["url"];
    EXPECT_EQ(url.rfind("file://", 0), 0u) << url;
    out.file = url.substr(std::string("file://").size());
    auto removed = patch(out.image_id, {{{"op", "remove"}, {"path", "/locations/0"}}});
    EXPECT_EQ(removed.status, 200u) << removed.body;
    out.location_id = trimmed(sql("SELECT id FROM image_locations WHERE image_id = '" +
                                  out.image_id + "' AND status = 'pending_delete'"));
    EXPECT_FALSE(out.location_id.empty());
    EXPECT_TRUE(fs::exists(out.file));
    return out;
  }

  HttpResponse patch(const std::string& id, const json& ops) {
    return admin_.request("PATCH", "/v2/images/" + id, kPatch, ops.dump());
  }
  ScrubberRun scrub(const std::string& options = "") {
    return run_scrubber(env_.api().config_path(), "[DEFAULT]\n" + options);
  }
  std::string sql(const std::string& statement) {
    return MariadbServer::instance().sql(statement, env_.registry().database());
  }
  static std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  std::string location_status(const std::string& location_id) {
    return trimmed(sql("SELECT status FROM image_locations WHERE id = " + location_id));
  }
  std::string image_status(const std::string& id) {
    auto r = admin_.get("/v2/images/" + id);
    return r.status == 200u ? r.json()["status"].get<std::string>() : "(" + r.body + ")";
  }
  // The image still reads whole, from the location it kept.
  void expect_readable(const RemovedUpload& u) {
    EXPECT_EQ(image_status(u.image_id), "active");
    auto r = admin_.get("/v2/images/" + u.image_id + "/file");
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.body == u.data) << "image " << u.image_id << " reads " << r.body.size()
                                  << " bytes";
  }
  // The registry, asked directly as an admin (or as a member with `roles`).
  HttpClient registry(const std::string& roles = "admin") {
    return HttpClient(env_.registry().daemon().port(), identity("tenant-admin", roles, "root"));
  }
  HttpResponse registry_put(const std::string& target, const std::string& body,
                            const std::string& roles = "admin") {
    return registry(roles).put(target, body, kJson);
  }

  SourceServer source_;
  ApiEnvironment env_{true, "delayed_delete = True\nshow_multiple_locations = True\n",
                      "stores = file, http\n"};
  HttpClient admin_ = env_.client(identity("tenant-admin", "admin", "root"));
};

TEST_F(ScrubberRemovedLocations, APassAfterScrubTimeDeletesTheRemovedUploadAndKeepsTheImage) {
  auto removed = removed_upload(1);
  auto kept = removed_upload(2);
  // Not before scrub_time.
  auto early = scrub("scrub_time = 3600\n");
  ASSERT_EQ(early.status, 0) << early.output;
  EXPECT_TRUE(fs::exists(removed.file));
  EXPECT_EQ(location_status(removed.location_id), "pending_delete");
  EXPECT_NE(early.output.find("locations removed from images: 2 pending_delete, 0 scrubbed"),
            std::string::npos)
      << early.output;
  EXPECT_NE(early.output.find("2 waiting for scrub_time"), std::string::npos) << early.output;
  // Past it: the data goes, the row is deleted, the image stays active and readable.
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(removed.file)) << run.output;
  EXPECT_FALSE(fs::exists(kept.file)) << run.output;
  EXPECT_EQ(location_status(removed.location_id), "deleted");
  EXPECT_EQ(sql("SELECT deleted FROM image_locations WHERE id = " + removed.location_id), "1\n");
  EXPECT_EQ(scrubbed_locations(run.output),
            (std::map<std::string, int>{{removed.location_id, 1}, {kept.location_id, 1}}))
      << run.output;
  expect_readable(removed);
  expect_readable(kept);
  // The image's live location is untouched, and nothing is scrubbed twice.
  EXPECT_EQ(sql("SELECT COUNT(*) FROM image_locations WHERE image_id = '" + removed.image_id +
                "' AND status = 'active' AND deleted = 0"),
            "1\n");
  auto again = scrub();
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(scrubbed_locations(again.output).empty()) << again.output;
  EXPECT_EQ(again.output.find("already gone"), std::string::npos) << again.output;
  expect_readable(removed);
}

TEST_F(ScrubberRemovedLocations, TwoScrubbersRacingDeleteEachLocationOnce) {
  std::vector<RemovedUpload> all;
  for (unsigned i = 0; i < 12; ++i) all.push_back(removed_upload(10 + i));
  ScrubberRun first, second;
  std::thread a([&] { first = scrub("scrub_pool_size = 4\n"); });
  std::thread b([&] { second = scrub("scrub_pool_size = 4\n"); });
  a.join();
  b.join();
  ASSERT_EQ(first.status, 0) << first.output;
  ASSERT_EQ(second.status, 0) << second.output;
  auto scrubbed = scrubbed_locations(first.output + second.output);
  EXPECT_EQ(scrubbed.size(), all.size()) << first.output << second.output;
  for (const auto& u : all) {
    EXPECT_EQ(scrubbed[u.location_id], 1) << u.location_id;
    EXPECT_FALSE(fs::exists(u.file)) << u.file;
    EXPECT_EQ(location_status(u.location_id), "deleted");
    expect_readable(u);
  }
  // Each file was deleted by one scrubber: none found its data already gone.
  EXPECT_EQ((first.output + second.output).find("already gone"), std::string::npos)
      << first.output << second.output;
}

TEST_F(ScrubberRemovedLocations, AStoreRefusingKeepsTheRowPendingUntilALaterPass) {
  auto stubborn = removed_upload(30);
  auto easy = removed_upload(31);
  // A directory where the file was: unlink(2) fails with EISDIR, even for root.
  fs::rename(stubborn.file, stubborn.file + ".aside");
  fs::create_directory(stubborn.file);
  auto failed = scrub();
  ASSERT_EQ(failed.status, 0) << failed.output;
  EXPECT_EQ(location_status(stubborn.location_id), "pending_delete") << failed.output;
  EXPECT_NE(failed.output.find("left for the next pass"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("1 scrubbed, 0 deleted leaving their data (in use or not the "
                               "image's own), 1 left for a later pass"),
            std::string::npos)
      << failed.output;
  EXPECT_TRUE(fs::exists(stubborn.file));
  // The other location is not held back by it.
  EXPECT_EQ(location_status(easy.location_id), "deleted");
  EXPECT_FALSE(fs::exists(easy.file));
  // The claim was released: the next pass retries at once, and again while it fails.
  auto still = scrub();
  ASSERT_EQ(still.status, 0) << still.output;
  EXPECT_EQ(location_status(stubborn.location_id), "pending_delete") << still.output;
  EXPECT_NE(still.output.find("left for the next pass"), std::string::npos) << still.output;
  fs::remove(stubborn.file);
  fs::rename(stubborn.file + ".aside", stubborn.file);
  auto later = scrub();
  ASSERT_EQ(later.status, 0) << later.output;
  EXPECT_EQ(location_status(stubborn.location_id), "deleted") << later.output;
  EXPECT_FALSE(fs::exists(stubborn.file));
  expect_readable(stubborn);
}

TEST_F(ScrubberRemovedLocations, DataALiveImageStillUsesIsNeverDeleted) {
  auto shared = removed_upload(40);
  auto other = removed_upload(41);
  auto dead = removed_upload(42);
  // The removed url is an active location again: of another live image (as the registry
  // would store one re-added), and of a deleted image (which does not count).
  const std::string url = "file://" + shared.file;
  sql("INSERT INTO image_locations (image_id, value, meta_data, status, created_at, updated_at, "
      "deleted) VALUES ('" +
      other.image_id + "', '" + url + "', '{}', 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 0)");
  auto gone = admin_.post(
      "/v2/images",
      json({{"name", "gone"}, {"disk_format", "raw"}, {"container_format", "bare"}}).dump(), kJson);
  ASSERT_EQ(gone.status, 201u) << gone.body;
  const std::string gone_id = gone.json()["id"];
  sql("INSERT INTO image_locations (image_id, value, meta_data, status, created_at, updated_at, "
      "deleted) VALUES ('" +
      gone_id + "', 'file://" + dead.file +
      "', '{}', 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 0)");
  sql("UPDATE images SET status = 'deleted', deleted = 1, deleted_at = UTC_TIMESTAMP(6) WHERE id "
      "= '" +
      gone_id + "'");
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(fs::exists(shared.file)) << run.output;
  EXPECT_NE(run.output.find("a live image still uses it"), std::string::npos) << run.output;
  // Its row is done with all the same; the live image still reads the data.
  EXPECT_EQ(location_status(shared.location_id), "deleted");
  auto read = admin_.get("/v2/images/" + other.image_id + "/file");
  EXPECT_EQ(read.status, 200u);
  // The others' data goes: a deleted image's location keeps nothing alive.
  EXPECT_FALSE(fs::exists(other.file));
  EXPECT_FALSE(fs::exists(dead.file)) << run.output;
  EXPECT_EQ(location_status(dead.location_id), "deleted");
  expect_readable(shared);
  // A later pass leaves the shared data alone too.
  ASSERT_EQ(scrub().status, 0);
  EXPECT_TRUE(fs::exists(shared.file));
}

TEST_F(ScrubberRemovedLocations, DataThatIsNotTheImagesOwnUploadIsNeverDeleted) {
  auto mine = removed_upload(50);
  // Files in the store's directory no live location names: another image's (by its name)
  // and a stray one. Pending locations of `mine` name them (rows no api path writes, but
  // the registry may hold).
  const std::string foreign = env_.datadir() + "/3e1c2b7a-0000-4000-8000-000000000050";
  const std::string stray = env_.datadir() + "/stray";
  for (const auto& path : {foreign, stray}) {
    std::ofstream(path) << "not mine";
    sql("INSERT INTO image_locations (image_id, value, meta_data, status, created_at, "
        "updated_at, deleted, deleted_at) VALUES ('" +
        mine.image_id + "', 'file://" + path +
        "', '{}', 'pending_delete', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 1, UTC_TIMESTAMP(6))");
  }
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(fs::exists(foreign)) << run.output;
  EXPECT_TRUE(fs::exists(stray)) << run.output;
  EXPECT_NE(run.output.find("not this image's upload"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("1 scrubbed, 2 deleted leaving their data"), std::string::npos)
      << run.output;
  // Its own upload went; every row is done with.
  EXPECT_FALSE(fs::exists(mine.file)) << run.output;
  EXPECT_EQ(sql("SELECT COUNT(*) FROM image_locations WHERE status = 'pending_delete'"), "0\n");
  expect_readable(mine);
}

TEST_F(ScrubberRemovedLocations, AnImageDeletedMeanwhileIsScrubbedWholeByItsOwnScrub) {
  auto u = removed_upload(60);
  ASSERT_EQ(admin_.del("/v2/images/" + u.image_id).status, 204u);
  // The image's own scrub takes its locations, the removed one included.
  auto listed = registry().get("/scrubber/locations");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(listed.json()["locations"], json::array()) << listed.body;
  auto claim =
      registry_put("/images/" + u.image_id + "/scrubber/locations/" + u.location_id + "/claim",
                   R"({"lease": 60})");
  EXPECT_EQ(claim.status, 409u) << claim.body;
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(u.file)) << run.output;
  EXPECT_EQ(location_status(u.location_id), "deleted");
  EXPECT_EQ(trimmed(sql("SELECT status FROM images WHERE id = '" + u.image_id + "'")), "deleted");
}

TEST_F(ScrubberRemovedLocations, AnImageDeletedOutrightLeavesItsRemovedLocationToThePass) {
  auto u = removed_upload(90);
  // Deleted at once (an api without delayed_delete by then): only the live location's data
  // went with it; the removed one's is the pass's.
  sql("UPDATE images SET status = 'deleted', deleted = 1, deleted_at = UTC_TIMESTAMP(6) WHERE "
      "id = '" +
      u.image_id + "'");
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(u.file)) << run.output;
  EXPECT_EQ(location_status(u.location_id), "deleted");
  EXPECT_EQ(scrubbed_locations(run.output), (std::map<std::string, int>{{u.location_id, 1}}))
      << run.output;
}

TEST_F(ScrubberRemovedLocations, AnImageDeletedWhileItsRemovedLocationIsClaimedWaitsForTheClaim) {
  auto u = removed_upload(80);
  // A scrubber claimed the removed location while the image was live, then the image went.
  auto claim =
      registry_put("/images/" + u.image_id + "/scrubber/locations/" + u.location_id + "/claim",
                   R"({"lease": 3600})");
  ASSERT_EQ(claim.status, 200u) << claim.body;
  ASSERT_EQ(admin_.del("/v2/images/" + u.image_id).status, 204u);
  // No restore while that scrubber may be deleting the data.
  auto back = run_scrubber(env_.api().config_path(), "[DEFAULT]\n", "--restore " + u.image_id);
  EXPECT_EQ(back.status, 1) << back.output;
  EXPECT_NE(back.output.find("has a location being scrubbed"), std::string::npos) << back.output;
  // The image's scrub leaves that location to its claim, so the image stays pending_delete.
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(fs::exists(u.file)) << run.output;
  EXPECT_EQ(location_status(u.location_id), "pending_delete");
  EXPECT_EQ(trimmed(sql("SELECT status FROM images WHERE id = '" + u.image_id + "'")),
            "pending_delete");
  // Once the claim has expired the image's scrub takes it and ends.
  std::string log;
  EXPECT_TRUE(eventually(
      [&] {
        log += scrub("scrubber_claim_lease = 1\n").output;
        return trimmed(sql("SELECT status FROM images WHERE id = '" + u.image_id + "'")) ==
               "deleted";
      },
      std::chrono::seconds(60)))
      << log;
  EXPECT_FALSE(fs::exists(u.file)) << log;
  EXPECT_EQ(location_status(u.location_id), "deleted");
}

TEST_F(ScrubberRemovedLocations, RegistryRoutesAreForAdminsAndClaimsExclude) {
  auto u = removed_upload(70);
  const std::string base = "/images/" + u.image_id + "/scrubber/locations/" + u.location_id;
  EXPECT_EQ(registry("member").get("/scrubber/locations").status, 403u);
  EXPECT_EQ(registry_put(base + "/claim", R"({"lease": 60})", "member").status, 403u);
  EXPECT_EQ(registry_put(base + "/finish", R"({"scrubbed": true})", "member").status, 403u);
  // Bad input is refused before any write.
  EXPECT_EQ(registry().get("/scrubber/locations?limit=0").status, 400u);
  EXPECT_EQ(registry().get("/scrubber/locations?marker=x").status, 400u);
  EXPECT_EQ(registry_put(base + "/claim", R"({"lease": 0})").status, 400u);
  EXPECT_EQ(registry_put(base + "/finish", R"({"scrubbed": 1})").status, 400u);
  EXPECT_EQ(
      registry_put("/images/" + u.image_id + "/scrubber/locations/x/claim", R"({"lease": 60})")
          .status,
      404u);
  // Another image's location id is not found through this image.
  auto other = removed_upload(71);
  EXPECT_EQ(
      registry_put("/images/" + other.image_id + "/scrubber/locations/" + u.location_id + "/claim",
                   R"({"lease": 60})")
          .status,
      404u);
  EXPECT_EQ(location_status(u.location_id), "pending_delete");
  // The listing shows both, with their marks; a live location is never claimed.
  auto listed = registry().get("/scrubber/locations?limit=1");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  ASSERT_EQ(listed.json()["locations"].size(), 1u) << listed.body;
  EXPECT_EQ(std::to_string(listed.json()["locations"][0]["id"].get<int64_t>()), u.location_id);
  EXPECT_EQ(listed.json()["locations"][0]["image_id"], u.image_id);
  EXPECT_TRUE(listed.json()["locations"][0]["marked_at"].is_string()) << listed.body;
  auto next = registry().get("/scrubber/locations?marker=" + u.location_id);
  ASSERT_EQ(next.status, 200u) << next.body;
  ASSERT_EQ(next.json()["locations"].size(), 1u) << next.body;
  EXPECT_EQ(next.json()["locations"][0]["image_id"], other.image_id);
  const std::string live = trimmed(sql("SELECT id FROM image_locations WHERE image_id = '" +
                                       u.image_id + "' AND status = 'active'"));
  EXPECT_EQ(registry_put("/images/" + u.image_id + "/scrubber/locations/" + live + "/claim",
                         R"({"lease": 60})")
                .status,
            409u);
  // One claim at a time: a second one is refused, and a pass leaves it to its holder.
  auto claim = registry_put(base + "/claim", R"({"lease": 3600})");
  ASSERT_EQ(claim.status, 200u) << claim.body;
  EXPECT_EQ(claim.json()["location"]["url"], "file://" + u.file);
  EXPECT_EQ(claim.json()["location"]["in_use"], false);
  EXPECT_EQ(registry_put(base + "/claim", R"({"lease": 3600})").status, 409u);
  auto held = scrub();
  ASSERT_EQ(held.status, 0) << held.output;
  EXPECT_TRUE(fs::exists(u.file));
  EXPECT_EQ(location_status(u.location_id), "pending_delete");
  EXPECT_NE(held.output.find("0 waiting for scrub_time, 1 taken by another scrubber"),
            std::string::npos)
      << held.output;
  // With a one-second lease the dead claim is taken over once a second has passed.
  std::string log;
  EXPECT_TRUE(eventually(
      [&] {
        log += scrub("scrubber_claim_lease = 1\n").output;
        return location_status(u.location_id) == "deleted";
      },
      std::chrono::seconds(60)))
      << log;
  EXPECT_FALSE(fs::exists(u.file)) << log;
  // Finishing again is harmless; a released claim of a deleted row changes nothing.
  auto again = registry_put(base + "/finish", R"({"scrubbed": false})");
  EXPECT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(location_status(u.location_id), "deleted");
}

}  // namespace
}  // namespace glance::testing
