// Images API v2 beyond images themselves, on glance-api over real HTTP in front of a real
// glance-registry and MariaDB: tags (one at a time, atomic in the registry, image_tag_quota),
// deactivate and reactivate, the discovery routes, interoperable import refused, and locations
// in the image view.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
const HeaderList kOctets = {{"Content-Type", "application/octet-stream"}};

void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                   const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
}

json create(const HttpClient& c, const json& body) {
  auto r = c.post("/v2/images", body.dump(), kJson);
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.status == 201u ? r.json() : json::object();
}

// A raw image of `bytes`, active.
std::string active_image(const HttpClient& c, const std::string& name, const std::string& bytes,
                         const std::string& visibility = "shared") {
  std::string id = create(c, {{"name", name},
                              {"disk_format", "raw"},
                              {"container_format", "bare"},
                              {"visibility", visibility}})["id"];
  auto put = c.put("/v2/images/" + id + "/file", bytes, kOctets);
  EXPECT_EQ(put.status, 204u) << put.body;
  return id;
}

json tags_of(const HttpClient& c, const std::string& id) {
  return c.get("/v2/images/" + id).json()["tags"];
}

class ApiV2Extras : public SharedTenantsApiTest {};

TEST_F(ApiV2Extras, TagsAddOneAtATimeAndRemove) {
  std::string id = create(alice_, {{"name", "tagged"}, {"tags", {"seed"}}})["id"];
  const std::string tags = "/v2/images/" + id + "/tags/";
  auto put = alice_.put(tags + "blue", "");
  EXPECT_EQ(put.status, 204u) << put.body;
  EXPECT_TRUE(put.body.empty());
  EXPECT_EQ(alice_.put(tags + "blue", "").status, 204u);  // idempotent
  // Tags compare as upstream's set does: case, trailing spaces and any UTF-8 are kept apart.
  for (const char* t : {"Blue", "blue%20", "%C3%BCn%C3%AF%E2%82%AC%F0%9F%98%80", "a%2Fb"})
    EXPECT_EQ(alice_.put(tags + t, "").status, 204u) << t;
  EXPECT_EQ(tags_of(alice_, id), json({"Blue", "a/b", "blue", "blue ", "seed",
                                       "\xC3\xBCn\xC3\xAF\xE2\x82\xAC\xF0\x9F\x98\x80"}));
  auto gone = alice_.del(tags + "blue");
  EXPECT_EQ(gone.status, 204u) << gone.body;
  EXPECT_EQ(alice_.del(tags + "blue").status, 404u);
  EXPECT_EQ(alice_.del(tags + "never").status, 404u);
  EXPECT_EQ(tags_of(alice_, id), json({"Blue", "a/b", "blue ", "seed",
                                       "\xC3\xBCn\xC3\xAF\xE2\x82\xAC\xF0\x9F\x98\x80"}));
  // v2's list filter sees a tag added this way.
  auto listed = alice_.get("/v2/images?tag=Blue").json()["images"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], id);
  // An admin tags anybody's image.
  EXPECT_EQ(admin_.put(tags + "audited", "").status, 204u);
  EXPECT_EQ(admin_.del(tags + "audited").status, 204u);
}

TEST_F(ApiV2Extras, TagsRefuseWhatUpstreamRefuses) {
  auto& api = env_->api();
  auto baseline = warm_baseline();
  std::string id = create(alice_, {{"name", "tag-target"}})["id"];
  std::string community =
      create(alice_, {{"name", "tag-community"}, {"visibility", "community"}})["id"];
  const std::string tags = "/v2/images/" + id + "/tags/";
  // 255 characters are a tag however many bytes they take; 256 are not.
  std::string e_acute;
  for (int i = 0; i < 255; ++i) e_acute += "%C3%A9";
  EXPECT_EQ(alice_.put(tags + e_acute, "").status, 204u);
  expect_answer(
      alice_.put(tags + std::string(256, 'x'), ""), 400u,
      "Provided object does not match schema 'image': '" + std::string(256, 'x') + "' is too long",
      "256 chars");
  expect_answer(alice_.put(tags + std::string(60000, 'y'), ""), 400u, "", "huge tag");
  EXPECT_EQ(alice_.put(tags + "%FF%FE", "").status, 400u);  // not UTF-8
  EXPECT_EQ(alice_.put(tags + "%C3", "").status, 400u);     // cut UTF-8
  EXPECT_EQ(alice_.put(tags + "%zz", "").status, 400u);     // malformed escape
  expect_answer(alice_.put(tags + "with-body", "{}", kJson), 400u,
                "A body is not expected with this request.", "body");
  expect_answer(alice_.put("/v2/images/6f1c3e5a-0000-4000-8000-000000000000/tags/x", ""), 404u,
                "Image 6f1c3e5a-0000-4000-8000-000000000000 not found.", "no image");
  expect_answer(alice_.put("/v2/images/" + std::string(300, 'f') + "/tags/x", ""), 404u,
                "not found", "long id");
  // Bob cannot see Alice's private image, and may not change her community one.
  expect_answer(bob_.put(tags + "bob", ""), 404u, "Image " + id + " not found.", "bob private");
  expect_answer(bob_.put("/v2/images/" + community + "/tags/bob", ""), 403u,
                "Not allowed to update tags for image " + community + ".", "bob community");
  EXPECT_EQ(alice_.put("/v2/images/" + community + "/tags/mine", "").status, 204u);
  // Deleting a tag the image has is refused to Bob; one it lacks is a 404 first, as upstream.
  expect_answer(bob_.del("/v2/images/" + community + "/tags/mine"), 403u,
                "Not allowed to delete tags for image " + community + ".", "bob delete");
  EXPECT_EQ(bob_.del("/v2/images/" + community + "/tags/absent").status, 404u);
  EXPECT_EQ(tags_of(alice_, community), json({"mine"}));
  // The image keeps only what was accepted.
  auto shown = tags_of(alice_, id);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].get<std::string>().size(), 510u);
  // A deleted image has no tags to change.
  EXPECT_EQ(alice_.del("/v2/images/" + community).status, 204u);
  EXPECT_EQ(alice_.put("/v2/images/" + community + "/tags/late", "").status, 404u);
  expect_recovered(api, baseline);
}

// image_tag_quota (128 by default) holds under 200 concurrent adds of distinct tags to one
// image: exactly 128 land, every other add is 413, and none is lost. Below the quota, every
// one of 100 concurrent adds lands.
TEST_F(ApiV2Extras, RacingTagAddsLoseNothingAndKeepTheQuota) {
  auto& api = env_->api();
  std::string over = create(alice_, {{"name", "tag-race-over"}})["id"];
  std::string under = create(alice_, {{"name", "tag-race-under"}})["id"];
  auto race = [&](const std::string& id, int count) {
    std::atomic<int> next{0}, added{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 10; ++t)
      threads.emplace_back([&] {
        HttpClient c = env_->client(identity("tenant-a", "member", "alice"));
        for (int i = next++; i < count; i = next++) {
          auto r = c.put("/v2/images/" + id + "/tags/t" + std::to_string(i), "");
          if (r.status == 204u)
            ++added;
          else if (r.status == 413u && r.body.find("Image tag limit exceeded for image " + id +
                                                   ": The limit has been exceeded on the number "
                                                   "of allowed image tags. Attempted: 129, "
                                                   "Maximum: 128") != std::string::npos)
            ++refused;
          else if (++other == 1)
            ADD_FAILURE() << r.status << " " << r.body;
        }
      });
    for (auto& t : threads) t.join();
    return std::tuple<int, int, int>{added.load(), refused.load(), other.load()};
  };
  // A first race fills the api's pool of registry connections (one per concurrent client),
  // which then stays as the baseline.
  std::string warm = create(alice_, {{"name", "tag-race-warm"}})["id"];
  EXPECT_EQ(std::get<0>(race(warm, 30)), 30);
  auto baseline = warm_baseline();
  auto [added, refused, other] = race(over, 200);
  EXPECT_EQ(added, 128);
  EXPECT_EQ(refused, 72);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(tags_of(alice_, over).size(), 128u);
  // At the quota, adding a tag the image has is still a no-op; a new one is not.
  auto have = tags_of(alice_, over)[0].get<std::string>();
  EXPECT_EQ(alice_.put("/v2/images/" + over + "/tags/" + have, "").status, 204u);
  EXPECT_EQ(alice_.put("/v2/images/" + over + "/tags/one-more", "").status, 413u);
  EXPECT_EQ(alice_.del("/v2/images/" + over + "/tags/" + have).status, 204u);
  EXPECT_EQ(alice_.put("/v2/images/" + over + "/tags/one-more", "").status, 204u);

  // A created image is held to the same quota.
  json many = json::array();
  for (int i = 0; i < 129; ++i) many.push_back("c" + std::to_string(i));
  auto refused_create =
      alice_.post("/v2/images", json{{"name", "too-many-tags"}, {"tags", many}}.dump(), kJson);
  expect_answer(refused_create, 413u, "Attempted: 129, Maximum: 128", "create");
  many.erase(many.size() - 1);
  EXPECT_EQ(create(alice_, {{"name", "enough-tags"}, {"tags", many}})["tags"].size(), 128u);

  auto [all, none, odd] = race(under, 100);
  EXPECT_EQ(all, 100);
  EXPECT_EQ(none + odd, 0);
  auto stored = tags_of(alice_, under);
  std::set<std::string> distinct(stored.begin(), stored.end());
  EXPECT_EQ(distinct.size(), 100u);
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Extras, DeactivateAndReactivate) {
  const std::string data(5000, 'd');
  std::string id = active_image(alice_, "to-deactivate", data);
  const std::string actions = "/v2/images/" + id + "/actions/";
  auto off = admin_.post(actions + "deactivate", "");
  EXPECT_EQ(off.status, 204u) << off.body;
  EXPECT_TRUE(off.body.empty());
  EXPECT_EQ(alice_.get("/v2/images/" + id).json()["status"], "deactivated");
  expect_answer(alice_.get("/v2/images/" + id + "/file"), 403u,
                "The requested image has been deactivated. Image data download is forbidden.",
                "download");
  EXPECT_EQ(admin_.get("/v2/images/" + id + "/file").body, data);
  EXPECT_EQ(admin_.post(actions + "deactivate", "").status, 204u);  // no change
  EXPECT_EQ(alice_.get("/v2/images/" + id).json()["status"], "deactivated");
  auto on = admin_.post(actions + "reactivate", "");
  EXPECT_EQ(on.status, 204u) << on.body;
  EXPECT_EQ(admin_.post(actions + "reactivate", "").status, 204u);  // no change
  EXPECT_EQ(alice_.get("/v2/images/" + id).json()["status"], "active");
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file").body, data);
}

TEST_F(ApiV2Extras, ActionsRefuseWhatUpstreamRefuses) {
  auto& api = env_->api();
  auto baseline = warm_baseline();
  std::string mine = active_image(alice_, "act-mine", "m");
  std::string community = active_image(alice_, "act-community", "c", "community");
  std::string queued = create(alice_, {{"name", "act-queued"}})["id"];
  auto action = [](const std::string& id, const char* what) {
    return "/v2/images/" + id + "/actions/" + what;
  };
  // Administrators only, by default: the owner is refused by the rule.
  expect_answer(alice_.post(action(mine, "deactivate"), ""), 403u,
                "You are not authorized to complete deactivate action.", "owner");
  // Another tenant: not his to change (before the rule), or not even visible.
  expect_answer(bob_.post(action(community, "deactivate"), ""), 403u,
                "You are not permitted to deactivate this image.", "bob community");
  expect_answer(bob_.post(action(mine, "deactivate"), ""), 404u, "No image found with ID " + mine,
                "bob private");
  // Only active <-> deactivated.
  expect_answer(admin_.post(action(queued, "deactivate"), ""), 403u,
                "Not allowed to deactivate image in status 'queued'", "queued");
  expect_answer(admin_.post(action(queued, "reactivate"), ""), 403u,
                "Not allowed to reactivate image in status 'queued'", "queued");
  expect_answer(admin_.post(action(mine, "deactivate"), "{}", kJson), 400u,
                "A body is not expected with this request.", "body");
  expect_answer(admin_.post(action("6f1c3e5a-0000-4000-8000-000000000000", "deactivate"), ""), 404u,
                "No image found with ID", "missing");
  expect_answer(admin_.get(action(mine, "deactivate")), 405u, "", "GET");
  ASSERT_EQ(admin_.post(action(community, "deactivate"), "").status, 204u);
  expect_answer(alice_.post(action(community, "reactivate"), ""), 403u,
                "You are not authorized to complete reactivate action.", "owner reactivate");
  EXPECT_EQ(alice_.get("/v2/images/" + community).json()["status"], "deactivated");
  EXPECT_EQ(alice_.get("/v2/images/" + mine).json()["status"], "active");
  EXPECT_EQ(alice_.get("/v2/images/" + queued).json()["status"], "queued");
  // Deleted: gone for everybody.
  ASSERT_EQ(admin_.del("/v2/images/" + queued).status, 204u);
  EXPECT_EQ(admin_.post(action(queued, "deactivate"), "").status, 404u);
  expect_recovered(api, baseline);
}

// An upload in flight keeps its image saving: deactivate is refused then, and the upload's own
// status write (saving -> active) is not overwritten. Once active, deactivate takes.
TEST_F(ApiV2Extras, DeactivateRacingAnUploadNeverOverwritesIt) {
  auto& api = env_->api();
  std::string id = create(
      alice_, {{"name", "act-race"}, {"disk_format", "raw"}, {"container_format", "bare"}})["id"];
  auto baseline = warm_baseline();
  const size_t total = 3 << 20;
  RawConnection upload(api.port());
  std::string head = "PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [name, value] : identity("tenant-a", "member", "alice"))
    head += name + ": " + value + "\r\n";
  head += "Connection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
          std::to_string(total) + "\r\n\r\n";
  ASSERT_TRUE(upload.send(head + std::string(1 << 20, 'r')));
  ASSERT_TRUE(
      eventually([&] { return alice_.get("/v2/images/" + id).json()["status"] == "saving"; }));
  const std::string deactivate = "/v2/images/" + id + "/actions/deactivate";
  expect_answer(admin_.post(deactivate, ""), 403u,
                "Not allowed to deactivate image in status 'saving'", "saving");
  ASSERT_TRUE(upload.send(std::string(total - (1 << 20), 'r')));
  auto answer = upload.read(4096, std::chrono::seconds(30));
  EXPECT_NE(answer.find("HTTP/1.1 204"), std::string::npos) << answer;
  auto shown = alice_.get("/v2/images/" + id).json();
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["size"], total);
  EXPECT_EQ(admin_.post(deactivate, "").status, 204u);

  // Many deactivations and reactivations at once against uploads finishing: every image ends
  // either active or deactivated with its data, none killed or stuck.
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(create(alice_, {{"name", "act-race-" + std::to_string(i)},
                                  {"disk_format", "raw"},
                                  {"container_format", "bare"}})["id"]);
  std::atomic<bool> uploads_done{false};
  std::thread uploader([&] {
    HttpClient c = env_->client(identity("tenant-a", "member", "alice"));
    for (const auto& image : ids)
      EXPECT_EQ(c.put("/v2/images/" + image + "/file", std::string(200000, 'u'), kOctets).status,
                204u);
    uploads_done = true;
  });
  std::thread flipper([&] {
    HttpClient c = env_->client(identity("tenant-admin", "admin", "root"));
    for (int round = 0; round < 200 && !uploads_done; ++round)
      for (const auto& image : ids) {
        auto r = c.post(
            "/v2/images/" + image + "/actions/" + (round % 2 ? "reactivate" : "deactivate"), "");
        EXPECT_TRUE(r.status == 204u || r.status == 403u) << r.status << " " << r.body;
      }
  });
  uploader.join();
  flipper.join();
  for (const auto& image : ids) {
    auto doc = admin_.get("/v2/images/" + image).json();
    EXPECT_TRUE(doc["status"] == "active" || doc["status"] == "deactivated") << doc.dump();
    EXPECT_EQ(doc["size"], 200000);
    EXPECT_EQ(admin_.get("/v2/images/" + image + "/file").body.size(), 200000u);
  }
  expect_recovered(api, baseline);
}

// Deletes racing deactivations: a status write never brings a deleted image back, whichever
// lands first (the registry keeps `deleted`, and v2 shows nothing).
TEST_F(ApiV2Extras, DeactivateRacingADeleteNeverResurrectsTheImage) {
  auto& api = env_->api();
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i)
    ids.push_back(active_image(alice_, "act-del-" + std::to_string(i), "z"));
  auto baseline = warm_baseline();
  std::thread deleter([&] {
    HttpClient c = env_->client(identity("tenant-admin", "admin", "root"));
    for (const auto& id : ids) {
      auto r = c.del("/v2/images/" + id);
      EXPECT_EQ(r.status, 204u) << r.body;
    }
  });
  std::thread flipper([&] {
    HttpClient c = env_->client(identity("tenant-admin", "admin", "root"));
    for (int round = 0; round < 4; ++round)
      for (const auto& id : ids) {
        auto r = c.post(
            "/v2/images/" + id + "/actions/" + (round % 2 ? "reactivate" : "deactivate"), "");
        // 403 while the delete has marked the image deleted and not yet removed it.
        EXPECT_TRUE(
            r.status == 204u || r.status == 404u ||
            (r.status == 403u && r.body.find("image in status 'deleted'") != std::string::npos))
            << r.status << " " << r.body;
      }
  });
  deleter.join();
  flipper.join();
  for (const auto& id : ids) {
    EXPECT_EQ(admin_.get("/v2/images/" + id).status, 404u) << id;
    auto v1 = admin_.head("/v1/images/" + id);
    EXPECT_EQ(v1.header("x-image-meta-status"), std::optional<std::string>("deleted")) << id;
    EXPECT_EQ(v1.header("x-image-meta-deleted"), std::optional<std::string>("True")) << id;
  }
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Extras, ImportIsNotServedAndOneStoreIsNoMultiStore) {
  auto& api = env_->api();
  std::string id = create(alice_, {{"name", "no-import"}})["id"];
  auto baseline = warm_baseline();
  const size_t files = env_->stored_files();
  expect_answer(alice_.get("/v2/info/import"), 404u, "Image import is not supported at this site.",
                "info/import");
  expect_answer(alice_.get("/v2/info/stores"), 404u, "Multi backend is not supported at this site.",
                "info/stores");
  expect_answer(alice_.put("/v2/images/" + id + "/stage", "bytes", kOctets), 404u,
                "Image import is not supported at this site.", "stage");
  expect_answer(alice_.post("/v2/images/" + id + "/import",
                            json{{"method", {{"name", "glance-direct"}}}}.dump(), kJson),
                404u, "Image import is not supported at this site.", "import");
  // A large staged body is refused without being taken, and the daemon moves on.
  RawConnection stage(api.port());
  std::string head = "PUT /v2/images/" + id + "/stage HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [name, value] : identity("tenant-a", "member", "alice"))
    head += name + ": " + value + "\r\n";
  head += "Content-Type: application/octet-stream\r\nContent-Length: 1073741824\r\n\r\n";
  stage.send(head + std::string(64 << 10, 's'));
  auto answer = stage.read(4096, std::chrono::seconds(30));
  EXPECT_NE(answer.find("404"), std::string::npos) << answer;
  EXPECT_EQ(alice_.get("/v2/images/" + id).json()["status"], "queued");
  EXPECT_EQ(env_->stored_files(), files);
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Extras, LocationsAreHiddenByDefault) {
  std::string id = active_image(alice_, "no-locations", "x");
  for (const HttpClient* c : {&alice_, &admin_}) {
    auto shown = c->get("/v2/images/" + id).json();
    EXPECT_FALSE(shown.contains("locations")) << shown.dump();
    EXPECT_FALSE(shown.contains("direct_url")) << shown.dump();
  }
}

// show_image_direct_url and show_multiple_locations on, get_image_location for admins and
// tenant-a, and two stores (file and the read-only http).
class ApiV2Locations : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir("glance-api-v2-locations"));
    std::ofstream(*dir_ + "/policy.yaml")
        << "get_image_location: 'role:admin or tenant:tenant-a'\n";
    start_shared_api(
        "show_image_direct_url = true\nshow_multiple_locations = true\n"
        "[oslo_policy]\npolicy_file = " +
            *dir_ + "/policy.yaml\n",
        "stores = file, http\n");
  }
  static void TearDownTestSuite() {
    SharedTenantsApiTest::TearDownTestSuite();
    delete dir_;
    dir_ = nullptr;
  }
  static std::string* dir_;
};
std::string* ApiV2Locations::dir_ = nullptr;

TEST_F(ApiV2Locations, DirectUrlAndLocationsForPermittedCallersOnly) {
  std::string id = active_image(alice_, "located", "located bytes", "community");
  auto shown = alice_.get("/v2/images/" + id).json();
  ASSERT_TRUE(shown.contains("locations")) << shown.dump();
  ASSERT_EQ(shown["locations"].size(), 1u) << shown.dump();
  const std::string url = shown["locations"][0]["url"];
  EXPECT_EQ(url.rfind("file://", 0), 0u) << url;
  EXPECT_EQ(shown["locations"][0]["metadata"], json::object());
  EXPECT_EQ(shown["direct_url"], url);
  EXPECT_EQ(admin_.get("/v2/images/" + id).json()["direct_url"], url);
  // Lists carry them too.
  const auto page = admin_.get("/v2/images?visibility=community&name=located").json();
  bool listed = false;
  for (const auto& i : page["images"]) listed = listed || (i["id"] == id && i["direct_url"] == url);
  EXPECT_TRUE(listed) << page.dump();
  // Bob may see the image, not where it lives: an empty list, no direct_url.
  auto to_bob = bob_.get("/v2/images/" + id).json();
  EXPECT_EQ(to_bob["locations"], json::array()) << to_bob.dump();
  EXPECT_FALSE(to_bob.contains("direct_url")) << to_bob.dump();
  // A queued image has none to show.
  std::string queued = create(alice_, {{"name", "not-located"}})["id"];
  auto empty = alice_.get("/v2/images/" + queued).json();
  EXPECT_EQ(empty["locations"], json::array());
  EXPECT_FALSE(empty.contains("direct_url"));
  // Deactivated, only admins see them.
  ASSERT_EQ(admin_.post("/v2/images/" + id + "/actions/deactivate", "").status, 204u);
  auto hidden = alice_.get("/v2/images/" + id).json();
  EXPECT_EQ(hidden["locations"], json::array()) << hidden.dump();
  EXPECT_FALSE(hidden.contains("direct_url"));
  EXPECT_EQ(admin_.get("/v2/images/" + id).json()["direct_url"], url);
}

TEST_F(ApiV2Locations, StoresListTheLoadedDriversWithTheDefault) {
  auto r = alice_.get("/v2/info/stores");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json(), json::parse(R"({"stores": [{"id": "file", "default": "true"},
                                                 {"id": "http", "read-only": "true"}]})"));
}

}  // namespace
}  // namespace glance::testing
