// glance-scrubber against real daemons: glance-api deletes with delayed_delete, the scrubber
// deletes the data from the file store and marks the images deleted, once each even with two
// scrubbers at work, leaves them pending_delete while the store refuses, and --restore brings
// an image back whole.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/scrubber_runner.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

// The registry trusts identity headers, so the scrubber must come as an admin.
class Scrubber : public ::testing::Test {
 protected:
  std::string upload(const std::string& data, const std::string& name = "doomed") {
    auto r = alice_.post(
        "/v1/images", data,
        with(kRawBare, {{"x-image-meta-name", name}, {"x-image-meta-property-flavour", "mint"}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : std::string();
  }
  void remove(const std::string& id) { ASSERT_EQ(alice_.del("/v1/images/" + id).status, 200u); }
  std::string status_of(const std::string& id) {
    return admin_.head("/v1/images/" + id).header("x-image-meta-status").value_or("(none)");
  }
  std::string file_of(const std::string& id) const { return env_.datadir() + "/" + id; }
  ScrubberRun scrub(const std::string& options = "", const std::string& args = "") {
    return run_scrubber(env_.api().config_path(), "[DEFAULT]\n" + options, args);
  }
  // Runs passes with `options` until `id` is deleted (a minute at most): for what becomes due
  // a second or so later (a lease or scrub_time of one second).
  void expect_scrubbed_eventually(const std::string& id, const std::string& options) {
    std::string log;
    EXPECT_TRUE(eventually(
        [&] {
          log += scrub(options).output;
          return status_of(id) == "deleted";
        },
        std::chrono::seconds(60)))
        << log;
  }
  // The registry, asked directly as an admin (or as a member with `roles`).
  HttpResponse registry_put(const std::string& target, const std::string& body,
                            const std::string& roles = "admin") {
    HttpClient registry(env_.registry().daemon().port(), identity("tenant-admin", roles, "root"));
    return registry.put(target, body, {{"Content-Type", "application/json"}});
  }

  // SQL on the registry's private database.
  std::string sql(const std::string& statement) {
    return MariadbServer::instance().sql(statement, env_.registry().database());
  }
  // The state glance-api's first write of a delayed delete leaves: the image pending_delete
  // and its locations pending_delete (rows deleted), the image row itself still live, as
  // `minutes` ago. An api that dies before its second write (the row's delete) leaves it so.
  void mark_only(const std::string& id, int minutes) {
    std::string at = "UTC_TIMESTAMP(6) - INTERVAL " + std::to_string(minutes) + " MINUTE";
    sql("UPDATE image_locations SET status = 'pending_delete', deleted = 1, deleted_at = " + at +
        ", updated_at = " + at + " WHERE image_id = '" + id + "' AND status = 'active'");
    sql("UPDATE images SET status = 'pending_delete', updated_at = " + at + " WHERE id = '" + id +
        "'");
  }
  // The image row's `deleted` column ("0\n" live, "1\n" deleted), "" once purged.
  std::string deleted_column(const std::string& id) {
    return sql("SELECT deleted FROM images WHERE id = '" + id + "'");
  }
  // glance-manage db purge against the registry's database.
  std::pair<int, std::string> purge(const std::string& args) {
    return Daemon::run(manage_binary(), "--config-file " + env_.registry().daemon().config_path() +
                                            " db purge " + args);
  }
  // Moves the delete of the image, and of its children, `days` days back (their deleted_at,
  // and the updated_at of the image and of its locations, which the delete wrote equal to
  // their deleted_at: a later updated_at is a scrubber's claim).
  void age(const std::string& id, int days) {
    std::string at = "UTC_TIMESTAMP(6) - INTERVAL " + std::to_string(days) + " DAY";
    sql("UPDATE images SET deleted_at = " + at + ", updated_at = " + at + " WHERE id = '" + id +
        "' AND deleted = 1");
    sql("UPDATE image_locations SET updated_at = " + at + " WHERE image_id = '" + id +
        "' AND deleted = 1");
    for (const char* table : {"image_locations", "image_properties", "image_members", "image_tags"})
      sql(std::string("UPDATE ") + table + " SET deleted_at = " + at + " WHERE image_id = '" + id +
          "' AND deleted = 1");
  }

  ApiEnvironment env_{true, "delayed_delete = True\n"};
  HttpClient alice_ = env_.client(identity("tenant-a", "member", "alice"));
  HttpClient admin_ = env_.client(identity("tenant-admin", "admin", "root"));
};

// "image <id> scrubbed" lines of the scrubbers' logs, counted per id.
std::map<std::string, int> scrubbed_ids(const std::string& log) {
  std::map<std::string, int> ids;
  static const std::regex line("image ([0-9a-f-]{36}) scrubbed");
  for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it)
    ++ids[(*it)[1].str()];
  return ids;
}

TEST_F(Scrubber, PassDeletesTheDataOfADelayedDeleteAndMarksItDeleted) {
  std::string id = upload("scrub me");
  remove(id);
  ASSERT_EQ(status_of(id), "pending_delete");
  ASSERT_TRUE(fs::exists(file_of(id)));
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(file_of(id))) << run.output;
  EXPECT_EQ(status_of(id), "deleted");
  EXPECT_EQ(scrubbed_ids(run.output), (std::map<std::string, int>{{id, 1}})) << run.output;
  // Nothing is left to scrub, and a live image is never touched.
  std::string kept = upload("keep me", "kept");
  auto again = scrub();
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(scrubbed_ids(again.output).empty()) << again.output;
  EXPECT_EQ(status_of(kept), "active");
  EXPECT_TRUE(fs::exists(file_of(kept)));
}

TEST(ScrubberPaging, APassFindsMorePendingImagesThanTheRegistryListsAtOnce) {
  // The registry answers at most 3 images per list call.
  ApiEnvironment env(true, "delayed_delete = True\n", "", "", "[DEFAULT]\napi_limit_max = 3\n");
  auto alice = env.client(identity("tenant-a", "member", "alice"));
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    auto r = alice.post("/v1/images", "bytes " + std::to_string(i),
                        with(kRawBare, {{"x-image-meta-name", "paged"}}));
    ASSERT_EQ(r.status, 201u) << r.body;
    ids.push_back(r.json()["image"]["id"]);
    ASSERT_EQ(alice.del("/v1/images/" + ids.back()).status, 200u);
  }
  HttpClient registry(env.registry().daemon().port(), identity("tenant-admin", "admin", "root"));
  auto page =
      registry.get("/images/detail?deleted=true&status=pending_delete&is_public=None&limit=100");
  ASSERT_EQ(page.status, 200u) << page.body;
  ASSERT_EQ(page.json()["images"].size(), 3u) << page.body;
  auto run = run_scrubber(env.api().config_path(), "[DEFAULT]\n");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("8 pending_delete, 8 deleted"), std::string::npos) << run.output;
  for (const auto& id : ids) EXPECT_FALSE(fs::exists(env.datadir() + "/" + id)) << id;
}

TEST_F(Scrubber, FinishesADelayedDeleteWhoseApiDiedBetweenItsTwoWrites) {
  std::string stale = upload("api died", "stale");
  std::string recent = upload("api busy", "recent");
  std::string kept = upload("keep me", "kept");
  // Two hours ago (past the claim lease, 3600 s), and a moment ago (an api that may still be
  // about to delete the row).
  mark_only(stale, 120);
  mark_only(recent, 0);
  ASSERT_EQ(deleted_column(stale), "0\n");
  ASSERT_EQ(status_of(stale), "pending_delete");
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(file_of(stale))) << run.output;
  EXPECT_EQ(status_of(stale), "deleted");
  EXPECT_EQ(deleted_column(stale), "1\n");
  EXPECT_EQ(scrubbed_ids(run.output), (std::map<std::string, int>{{stale, 1}})) << run.output;
  // The fresh mark waits for the lease, which the summary says apart from scrub_time.
  EXPECT_NE(run.output.find("0 waiting for scrub_time, 1 unfinished deletes waiting out "
                            "scrubber_claim_lease"),
            std::string::npos)
      << run.output;
  // Its properties went with the row, at the moment of the first write.
  EXPECT_EQ(sql("SELECT COUNT(*) FROM image_properties p JOIN images i ON i.id = p.image_id "
                "WHERE i.id = '" +
                stale + "' AND p.deleted = 1 AND p.deleted_at = i.deleted_at"),
            "1\n");
  // The recent mark is left to its api; the live image is never touched.
  EXPECT_TRUE(fs::exists(file_of(recent)));
  EXPECT_EQ(status_of(recent), "pending_delete");
  EXPECT_EQ(deleted_column(recent), "0\n");
  EXPECT_EQ(status_of(kept), "active");
  EXPECT_TRUE(fs::exists(file_of(kept)));
  // Nothing is scrubbed twice.
  auto again = scrub();
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(scrubbed_ids(again.output).empty()) << again.output;
  EXPECT_EQ(again.output.find("already gone"), std::string::npos) << again.output;
  // With a lease of one second the recent mark is taken for dead as well.
  expect_scrubbed_eventually(recent, "scrubber_claim_lease = 1\n");
  EXPECT_FALSE(fs::exists(file_of(recent)));
  EXPECT_EQ(status_of(kept), "active");
  EXPECT_TRUE(fs::exists(file_of(kept)));
}

TEST_F(Scrubber, AnUnfinishedDeleteIsNeitherClaimedWhileFreshNorAfterARestore) {
  std::string fresh = upload("fresh");
  mark_only(fresh, 0);
  // The registry refuses to take over a mark younger than the lease, and changes nothing.
  auto claim = registry_put("/images/" + fresh + "/scrubber/claim", R"({"lease": 3600})");
  EXPECT_EQ(claim.status, 409u) << claim.body;
  EXPECT_EQ(deleted_column(fresh), "0\n");
  EXPECT_EQ(status_of(fresh), "pending_delete");
  // Restored before any scrubber came: the image is active again and stays whole.
  std::string restored = upload("restored");
  mark_only(restored, 120);
  auto back = scrub("", "--restore " + restored);
  ASSERT_EQ(back.status, 0) << back.output;
  ASSERT_EQ(status_of(restored), "active");
  auto run = scrub("scrubber_claim_lease = 1\n");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(status_of(restored), "active");
  EXPECT_EQ(deleted_column(restored), "0\n");
  EXPECT_TRUE(fs::exists(file_of(restored)));
  EXPECT_EQ(alice_.get("/v1/images/" + restored).body, "restored");
  // A live image is never claimed, however old.
  sql("UPDATE images SET updated_at = UTC_TIMESTAMP(6) - INTERVAL 1 DAY WHERE id = '" + restored +
      "'");
  EXPECT_EQ(registry_put("/images/" + restored + "/scrubber/claim", R"({"lease": 60})").status,
            409u);
  EXPECT_EQ(status_of(restored), "active");
}

TEST_F(Scrubber, TwoScrubbersFinishEachUnfinishedDeleteOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(upload("unfinished " + std::to_string(i)));
  for (const auto& id : ids) mark_only(id, 120);
  ScrubberRun first, second;
  std::thread a([&] { first = scrub("scrub_pool_size = 4\n"); });
  std::thread b([&] { second = scrub("scrub_pool_size = 4\n"); });
  a.join();
  b.join();
  ASSERT_EQ(first.status, 0) << first.output;
  ASSERT_EQ(second.status, 0) << second.output;
  auto scrubbed = scrubbed_ids(first.output + second.output);
  for (const auto& id : ids) {
    EXPECT_EQ(scrubbed[id], 1) << id << first.output << second.output;
    EXPECT_EQ(status_of(id), "deleted") << id;
    EXPECT_FALSE(fs::exists(file_of(id))) << id;
  }
  EXPECT_EQ((first.output + second.output).find("already gone"), std::string::npos)
      << first.output << second.output;
}

TEST_F(Scrubber, PurgeKeepsPendingDeleteRowsUntilTheirDataIsScrubbed) {
  std::string id = upload("old and pending");
  remove(id);
  age(id, 40);
  // A location removed from a live image with delayed_delete waits for its data's delete too.
  std::string live = upload("live");
  sql("UPDATE image_locations SET status = 'pending_delete', deleted = 1, deleted_at = "
      "UTC_TIMESTAMP(6) - INTERVAL 40 DAY, updated_at = deleted_at WHERE image_id = '" +
      live + "'");
  auto [code, out] = purge("--age_in_days 30 --max_rows -1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(deleted_column(id), "1\n");
  EXPECT_EQ(status_of(id), "pending_delete");
  EXPECT_EQ(sql("SELECT status FROM image_locations WHERE image_id = '" + id + "'"),
            "pending_delete\n");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM image_properties WHERE image_id = '" + id + "'"), "1\n");
  EXPECT_EQ(sql("SELECT status FROM image_locations WHERE image_id = '" + live + "'"),
            "pending_delete\n");
  // Once scrubbed, the same purge removes the image and its rows.
  auto run = scrub();
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(file_of(id))) << run.output;
  std::tie(code, out) = purge("--age_in_days 30 --max_rows -1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(deleted_column(id), "");
  for (const char* table : {"image_locations", "image_properties"})
    EXPECT_EQ(sql(std::string("SELECT COUNT(*) FROM ") + table + " WHERE image_id = '" + id + "'"),
              "0\n")
        << table;
  EXPECT_EQ(sql("SELECT status FROM images WHERE id = '" + live + "'"), "active\n");
  // The live image's location was scrubbed too, and its row went with that purge.
  EXPECT_EQ(sql("SELECT COUNT(*) FROM image_locations WHERE image_id = '" + live + "'"), "0\n");
}

TEST_F(Scrubber, PurgeRacingAScrubberNeverDropsARowWhoseDataIsLeft) {
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) ids.push_back(upload("racing " + std::to_string(i)));
  for (const auto& id : ids) {
    remove(id);
    age(id, 40);
  }
  std::atomic<bool> done{false};
  ScrubberRun run;
  std::thread scrubber([&] {
    run = scrub("scrub_pool_size = 2\n");
    done = true;
  });
  // Purges until the scrubber ends, checking after each: an image row gone has no data left.
  int purges = 0;
  while (!done || purges == 0) {
    auto [code, out] = purge("--age_in_days 30 --max_rows -1");
    EXPECT_EQ(code, 0) << out;
    ++purges;
    for (const auto& id : ids)
      if (deleted_column(id).empty()) EXPECT_FALSE(fs::exists(file_of(id))) << id;
  }
  scrubber.join();
  ASSERT_EQ(run.status, 0) << run.output;
  auto [code, out] = purge("--age_in_days 30 --max_rows -1");
  ASSERT_EQ(code, 0) << out;
  for (const auto& id : ids) {
    EXPECT_FALSE(fs::exists(file_of(id))) << id;
    EXPECT_EQ(deleted_column(id), "") << id;
    EXPECT_EQ(sql("SELECT COUNT(*) FROM image_locations WHERE image_id = '" + id + "'"), "0\n");
  }
}

TEST_F(Scrubber, KeepsTheDataUntilScrubTimeHasPassed) {
  std::string id = upload("not yet");
  remove(id);
  auto early = scrub("scrub_time = 3600\n");
  ASSERT_EQ(early.status, 0) << early.output;
  EXPECT_TRUE(fs::exists(file_of(id)));
  EXPECT_EQ(status_of(id), "pending_delete");
  EXPECT_NE(early.output.find("1 waiting for scrub_time"), std::string::npos) << early.output;
  // One second later the image is due.
  expect_scrubbed_eventually(id, "scrub_time = 1\n");
  EXPECT_FALSE(fs::exists(file_of(id)));
}

TEST_F(Scrubber, TwoScrubbersRacingDeleteEachImageOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i) ids.push_back(upload("image " + std::to_string(i)));
  for (const auto& id : ids) remove(id);
  ScrubberRun first, second;
  std::thread a([&] { first = scrub("scrub_pool_size = 4\n"); });
  std::thread b([&] { second = scrub("scrub_pool_size = 4\n"); });
  a.join();
  b.join();
  ASSERT_EQ(first.status, 0) << first.output;
  ASSERT_EQ(second.status, 0) << second.output;
  auto scrubbed = scrubbed_ids(first.output + second.output);
  EXPECT_EQ(scrubbed.size(), ids.size()) << first.output << second.output;
  for (const auto& id : ids) {
    EXPECT_EQ(scrubbed[id], 1) << id;
    EXPECT_EQ(status_of(id), "deleted") << id;
    EXPECT_FALSE(fs::exists(file_of(id))) << id;
  }
  // Each file was deleted by one scrubber: none found its data already gone.
  EXPECT_EQ((first.output + second.output).find("already gone"), std::string::npos)
      << first.output << second.output;
}

TEST_F(Scrubber, AStoreRefusingLeavesTheImagePendingDeleteUntilALaterPass) {
  std::string id = upload("stubborn");
  std::string other = upload("easy");
  remove(id);
  remove(other);
  // A directory where the file was: unlink(2) fails with EISDIR, even for root.
  fs::rename(file_of(id), file_of(id) + ".aside");
  fs::create_directory(file_of(id));
  auto failed = scrub();
  ASSERT_EQ(failed.status, 0) << failed.output;
  EXPECT_EQ(status_of(id), "pending_delete") << failed.output;
  EXPECT_NE(failed.output.find("left for the next pass"), std::string::npos) << failed.output;
  // The other image is not held back by it.
  EXPECT_EQ(status_of(other), "deleted");
  // The claim was released: the next pass retries at once.
  fs::remove(file_of(id));
  fs::rename(file_of(id) + ".aside", file_of(id));
  auto later = scrub();
  ASSERT_EQ(later.status, 0) << later.output;
  EXPECT_EQ(status_of(id), "deleted") << later.output;
  EXPECT_FALSE(fs::exists(file_of(id)));
}

TEST_F(Scrubber, AClaimOfADeadScrubberExpires) {
  std::string id = upload("orphaned claim");
  remove(id);
  // A scrubber claimed it, then died before deleting anything.
  auto claim = registry_put("/images/" + id + "/scrubber/claim", R"({"lease": 3600})");
  ASSERT_EQ(claim.status, 200u) << claim.body;
  EXPECT_EQ(claim.json()["image"]["location_data"].size(), 1u) << claim.body;
  auto held = scrub();
  ASSERT_EQ(held.status, 0) << held.output;
  EXPECT_EQ(status_of(id), "pending_delete");
  EXPECT_TRUE(fs::exists(file_of(id)));
  EXPECT_NE(held.output.find("1 taken by another scrubber"), std::string::npos) << held.output;
  // With a lease of one second, the dead claim is taken over.
  expect_scrubbed_eventually(id, "scrubber_claim_lease = 1\n");
  EXPECT_FALSE(fs::exists(file_of(id)));
}

TEST_F(Scrubber, RestoreBringsAPendingDeleteImageBackWhole) {
  auto data = random_bytes(3 << 20, 7);
  std::string id = upload(data, "regretted");
  remove(id);
  auto run = scrub("", "--restore " + id);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(status_of(id), "active");
  auto back = alice_.get("/v1/images/" + id);
  ASSERT_EQ(back.status, 200u) << back.body;
  EXPECT_TRUE(back.body == data);
  EXPECT_EQ(back.header("x-image-meta-property-flavour"), std::optional<std::string>("mint"));
  EXPECT_EQ(back.header("x-image-meta-deleted"), std::optional<std::string>("False"));
  // A pass leaves the restored image alone.
  ASSERT_EQ(scrub().status, 0);
  EXPECT_TRUE(fs::exists(file_of(id)));
  // Its owner may delete it again, and then it is scrubbed as any other.
  remove(id);
  ASSERT_EQ(scrub().status, 0);
  EXPECT_EQ(status_of(id), "deleted");
  EXPECT_FALSE(fs::exists(file_of(id)));
}

TEST_F(Scrubber, RestoreRefusesAnImageThatIsNotPendingDelete) {
  std::string id = upload("alive");
  auto active = scrub("", "--restore " + id);
  EXPECT_EQ(active.status, 1);
  EXPECT_NE(active.output.find("cannot restore the image from active to active"), std::string::npos)
      << active.output;
  EXPECT_EQ(status_of(id), "active");
  // Nor one whose data is gone.
  remove(id);
  ASSERT_EQ(scrub().status, 0);
  auto gone = scrub("", "--restore " + id);
  EXPECT_EQ(gone.status, 1);
  EXPECT_NE(gone.output.find("cannot restore the image from deleted"), std::string::npos)
      << gone.output;
  EXPECT_EQ(status_of(id), "deleted");
  auto unknown = scrub("", "--restore 3e1c2b7a-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("ERROR"), std::string::npos) << unknown.output;
}

TEST_F(Scrubber, RestoreRefusesAnImageBeingScrubbed) {
  std::string id = upload("half gone");
  remove(id);
  ASSERT_EQ(registry_put("/images/" + id + "/scrubber/claim", R"({"lease": 3600})").status, 200u);
  auto run = scrub("", "--restore " + id);
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("being scrubbed"), std::string::npos) << run.output;
  EXPECT_EQ(status_of(id), "pending_delete");
}

TEST_F(Scrubber, RegistryScrubRoutesAreForAdminsOnly) {
  std::string id = upload("mine");
  remove(id);
  for (const char* route : {"claim", "restore"}) {
    auto r = registry_put("/images/" + id + "/scrubber/" + route, R"({"lease": 60})", "member");
    EXPECT_EQ(r.status, 403u) << route << r.body;
  }
  auto finish =
      registry_put("/images/" + id + "/scrubber/finish", R"({"locations": []})", "member");
  EXPECT_EQ(finish.status, 403u) << finish.body;
  // Bad bodies are refused before any write.
  EXPECT_EQ(registry_put("/images/" + id + "/scrubber/claim", R"({"lease": 0})").status, 400u);
  EXPECT_EQ(registry_put("/images/" + id + "/scrubber/claim", "[").status, 400u);
  EXPECT_EQ(registry_put("/images/" + id + "/scrubber/finish", R"({"locations": ["x"]})").status,
            400u);
  EXPECT_EQ(status_of(id), "pending_delete");
  // A live image cannot be claimed.
  std::string live = upload("live");
  EXPECT_EQ(registry_put("/images/" + live + "/scrubber/claim", R"({"lease": 60})").status, 409u);
  EXPECT_EQ(alice_.get("/v1/images/" + live).status, 200u);
  EXPECT_TRUE(fs::exists(file_of(id)));
  EXPECT_TRUE(answers_healthcheck(env_.registry().daemon()));
}

// glance-scrubber --daemon, run as a child of the test (it does not listen, so Daemon does not
// fit): stdout and stderr go to a file; the destructor SIGTERMs it if the test did not.
class ScrubberDaemon {
 public:
  ScrubberDaemon(const std::string& api_config, const std::string& options) {
    std::string dir = make_temp_dir("glance-scrubber-daemon");
    std::string conf = dir + "/glance-scrubber.conf";
    std::ofstream(conf) << "[DEFAULT]\n" << options;
    log_ = dir + "/out.log";
    std::vector<std::string> args = {scrubber_binary(), "--daemon",      "--config-file",
                                     api_config,        "--config-file", conf};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ScrubberDaemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // SIGTERM, then its exit status once it exited (-1 if it did not within `timeout`).
  int terminate(std::chrono::seconds timeout) {
    ::kill(pid_, SIGTERM);
    int status = -1;
    bool exited = eventually(
        [&] {
          int ws = 0;
          if (::waitpid(pid_, &ws, WNOHANG) != pid_) return false;
          status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
          return true;
        },
        timeout);
    if (exited) pid_ = -1;
    return exited ? status : -1;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

TEST_F(Scrubber, DaemonScrubsEveryWakeupTimeAndStopsOnSigterm) {
  std::string before = upload("deleted before the start");
  remove(before);
  ScrubberDaemon daemon(env_.api().config_path(), "wakeup_time = 1\n");
  ASSERT_GT(daemon.pid(), 0);
  EXPECT_TRUE(eventually([&] { return status_of(before) == "deleted"; }, std::chrono::seconds(60)))
      << daemon.log();
  // A later pass finds what was deleted meanwhile.
  std::string during = upload("deleted while it runs");
  remove(during);
  EXPECT_TRUE(eventually([&] { return status_of(during) == "deleted"; }, std::chrono::seconds(60)))
      << daemon.log();
  EXPECT_FALSE(fs::exists(file_of(before)));
  EXPECT_FALSE(fs::exists(file_of(during)));
  // Between passes it holds no more than it did after the first ones.
  auto health = ProcessHealth::snapshot(daemon.pid());
  EXPECT_LT(health.open_fds, 64u) << health;
  EXPECT_EQ(daemon.terminate(std::chrono::seconds(60)), 0) << daemon.log();
  EXPECT_NE(daemon.log().find("stopping after the pass under way"), std::string::npos)
      << daemon.log();
}

TEST_F(Scrubber, RestoreAndDaemonTogetherAreRefused) {
  auto run = scrub("", "--daemon --restore 3e1c2b7a-0000-4000-8000-000000000000");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find("should not be set together"), std::string::npos) << run.output;
  EXPECT_EQ(scrub("", "--frobnicate").status, 2);
}

}  // namespace
}  // namespace glance::testing
