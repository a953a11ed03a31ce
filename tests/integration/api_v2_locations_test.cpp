// Image locations through PATCH /v2/images/{id} (show_multiple_locations on), on glance-api
// over real HTTP in front of a real glance-registry and MariaDB, with a real HTTP server
// holding the data the locations name: add, remove and replace with upstream's status
// changes and answers; callers without the location rules, refused urls (the operator's
// source policy, this host's files, another tenant's store data, data of unknown size) and
// garbage location objects refused with nothing changed; racing patches of one image's
// locations; the data of a removed location deleted only when it is the image's own upload.

#include "tests/support/api_fixture.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
const HeaderList kOctets = {{"Content-Type", "application/octet-stream"}};
const HeaderList kPatch = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};

constexpr size_t kObjectBytes = 1000;

HttpResponse patch(const HttpClient& c, const std::string& id, const json& body) {
  return c.request("PATCH", "/v2/images/" + id, kPatch, body.dump());
}

json add_op(const std::string& url, const std::string& at = "-",
            const json& metadata = json::object()) {
  return json::array({{{"op", "add"},
                       {"path", "/locations/" + at},
                       {"value", {{"url", url}, {"metadata", metadata}}}}});
}

json remove_op(const std::string& at) {
  return json::array({{{"op", "remove"}, {"path", "/locations/" + at}}});
}

json replace_op(const json& locations) {
  return json::array({{{"op", "replace"}, {"path", "/locations"}, {"value", locations}}});
}

void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                   const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
}

json create(const HttpClient& c, const std::string& name) {
  auto r = c.post(
      "/v2/images",
      json({{"name", name}, {"disk_format", "raw"}, {"container_format", "bare"}}).dump(), kJson);
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.status == 201u ? r.json() : json::object();
}

std::set<std::string> urls_of(const json& image) {
  std::set<std::string> out;
  for (const auto& l : image.value("locations", json::array())) out.insert(l["url"]);
  return out;
}

// tenant-b (bob) holds the location rules besides admins; tenant-a (alice) does not. The
// source policy denies a documentation network and a domain.
class ApiV2LocationPatch : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    source_ = new SourceServer();
    for (int i = 0; i < 12; ++i)
      source_->put("/object-" + std::to_string(i), random_bytes(kObjectBytes, 10 + i));
    dir_ = new std::string(make_temp_dir("glance-api-v2-location-patch"));
    std::ofstream(*dir_ + "/policy.yaml")
        << "get_image_location: 'role:admin or tenant:tenant-b'\n"
        << "set_image_location: 'role:admin or tenant:tenant-b'\n"
        << "delete_image_location: 'role:admin or tenant:tenant-b'\n";
    start_shared_api(
        "show_multiple_locations = true\n"
        "external_source_denied_hosts = 192.0.2.0/24, .denied.example\n"
        "[oslo_policy]\npolicy_file = " +
            *dir_ + "/policy.yaml\n",
        "stores = file, http\n");
  }
  static void TearDownTestSuite() {
    SharedTenantsApiTest::TearDownTestSuite();
    delete source_;
    source_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  static std::string object_url(int i) { return source_->url("/object-" + std::to_string(i)); }
  // The image as an admin sees it, locations included.
  json seen(const std::string& id) const {
    auto r = admin_.get("/v2/images/" + id);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200u ? r.json() : json::object();
  }
  // A queued image of bob's turned active at object `i`.
  std::string located_image(const std::string& name, int i) const {
    std::string id = create(bob_, name)["id"];
    auto r = patch(bob_, id, add_op(object_url(i)));
    EXPECT_EQ(r.status, 200u) << r.body;
    return id;
  }

  static inline SourceServer* source_ = nullptr;
  static inline std::string* dir_ = nullptr;
};

TEST_F(ApiV2LocationPatch, AddActivatesAQueuedImageWithTheSizeAtTheUrl) {
  std::string id = create(bob_, "loc-add")["id"];
  auto r = patch(bob_, id, add_op(object_url(0), "-", {{"zone", "a"}, {"tags", {"x", "y"}}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json image = r.json();
  EXPECT_EQ(image["status"], "active");
  EXPECT_EQ(image["size"], kObjectBytes);
  EXPECT_EQ(
      image["locations"],
      json::array({{{"url", object_url(0)}, {"metadata", {{"zone", "a"}, {"tags", {"x", "y"}}}}}}));
  EXPECT_EQ(seen(id)["locations"], image["locations"]);
  auto data = bob_.get("/v2/images/" + id + "/file");
  EXPECT_EQ(data.status, 200u);
  EXPECT_EQ(data.body, random_bytes(kObjectBytes, 10));

  // A second location, at the front; the size stays.
  r = patch(bob_, id, add_op(object_url(1), "0"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(urls_of(r.json()), (std::set<std::string>{object_url(0), object_url(1)}));
  EXPECT_EQ(r.json()["size"], kObjectBytes);

  // Refusals in upstream's words, each leaving the image as it was.
  const json before = seen(id);
  expect_answer(patch(bob_, id, add_op(object_url(0))), 400u,
                "The location " + object_url(0) + " already exists", "duplicate");
  expect_answer(patch(bob_, id, add_op(object_url(2), "x")), 400u,
                "Invalid position for adding a location.", "add at x");
  expect_answer(patch(bob_, id, add_op(object_url(2), "-1")), 400u,
                "Invalid position for adding a location.", "add at -1");
  expect_answer(patch(bob_, id, remove_op("2")), 400u, "Invalid position for removing a location.",
                "remove past the end");
  expect_answer(patch(bob_, id, remove_op("99999999999999999999999")), 400u,
                "Invalid position for removing a location.", "remove at a huge index");
  expect_answer(
      patch(bob_, id, replace_op({{{"url", object_url(2)}, {"metadata", json::object()}}})), 400u,
      "Original locations is not empty", "replace by other urls");
  // A patch is all or nothing: a good add before a bad one is not kept.
  json both = add_op(object_url(2));
  both.push_back(add_op(object_url(3), "z")[0]);
  expect_answer(patch(bob_, id, both), 400u, "Invalid position for adding a location.", "both");
  EXPECT_EQ(seen(id), before);

  // Upstream raises these with WebOb's generic explanation before the text.
  auto empty = patch(bob_, id, replace_op(json::array()));
  expect_answer(empty, 403u, "Access was denied to this resource.", "replace by nothing");
  expect_answer(empty, 403u, "Cannot set locations to empty list.", "replace by nothing");

  // The same urls: only the metadata changes.
  r = patch(bob_, id,
            replace_op({{{"url", object_url(1)}, {"metadata", {{"k", "v"}}}},
                        {{"url", object_url(0)}, {"metadata", json::object()}}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json replaced = r.json();
  ASSERT_EQ(replaced["locations"].size(), 2u) << r.body;
  for (const auto& l : replaced["locations"])
    EXPECT_EQ(l["metadata"], l["url"] == object_url(1) ? json({{"k", "v"}}) : json::object());

  // Removing down to one, then the last is refused.
  r = patch(bob_, id, remove_op("-"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["locations"].size(), 1u);
  const json one = seen(id);
  auto last = patch(bob_, id, remove_op("0"));
  expect_answer(last, 403u, "Cannot remove last location in the image.", "last");
  expect_answer(last, 403u, "Access was denied to this resource.", "last");
  EXPECT_EQ(seen(id), one);
  EXPECT_EQ(one["status"], "active");
}

TEST_F(ApiV2LocationPatch, ReplaceOnAnImageWithoutLocationsKeepsItsStatus) {
  std::string id = create(bob_, "loc-replace")["id"];
  auto r = patch(bob_, id,
                 replace_op({{{"url", object_url(4)}, {"metadata", json::object()}},
                             {{"url", object_url(5)}, {"metadata", json::object()}}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["status"], "queued");  // as upstream: only an add activates
  EXPECT_EQ(r.json()["size"], kObjectBytes);
  EXPECT_EQ(urls_of(seen(id)), (std::set<std::string>{object_url(4), object_url(5)}));

  std::string dup = create(bob_, "loc-replace-dup")["id"];
  const json before = seen(dup);
  expect_answer(patch(bob_, dup,
                      replace_op({{{"url", object_url(4)}, {"metadata", json::object()}},
                                  {{"url", object_url(4)}, {"metadata", json::object()}}})),
                400u, "already exists", "duplicates in a replace");
  EXPECT_EQ(seen(dup), before);
  // Only queued and active images take locations; only active ones lose them.
  std::string gone = located_image("loc-deactivated", 6);
  ASSERT_EQ(admin_.post("/v2/images/" + gone + "/actions/deactivate", "").status, 204u);
  expect_answer(patch(admin_, gone, add_op(object_url(7))), 409u,
                "It's not allowed to add locations if image status is deactivated.", "deactivated");
  expect_answer(patch(admin_, dup, remove_op("0")), 409u,
                "It's not allowed to remove locations if image status is queued.", "queued");
}

TEST_F(ApiV2LocationPatch, CallersWithoutTheRulesAreRefusedAndNothingChanges) {
  // Alice owns these images but holds no location rule.
  std::string queued = create(alice_, "loc-alice-queued")["id"];
  std::string active = create(alice_, "loc-alice-active")["id"];
  auto put = alice_.put("/v2/images/" + active + "/file", "alice's bytes", kOctets);
  ASSERT_EQ(put.status, 204u) << put.body;
  for (const std::string& id : {queued, active}) {
    const json before = seen(id);
    expect_answer(patch(alice_, id, add_op(object_url(11))), 403u,
                  "You are not authorized to complete get_image_location action.", "alice add");
    expect_answer(
        patch(alice_, id, replace_op({{{"url", object_url(11)}, {"metadata", json::object()}}})),
        403u, "You are not authorized to complete set_image_location action.", "alice replace");
    EXPECT_EQ(seen(id), before);
  }
  expect_answer(patch(alice_, active, remove_op("0")), 403u,
                "You are not authorized to complete get_image_location action.", "alice remove");
  EXPECT_EQ(seen(active)["locations"].size(), 1u);

  // Bob holds the rules, but the image is not his.
  ASSERT_EQ(
      patch(alice_, active,
            json::array({{{"op", "replace"}, {"path", "/visibility"}, {"value", "community"}}}))
          .status,
      200u);
  const json before = seen(active);
  expect_answer(patch(bob_, active, add_op(object_url(11))), 403u,
                "You are not permitted to modify locations for this image.", "bob add");
  expect_answer(patch(bob_, active, remove_op("0")), 403u,
                "Cannot remove last location in the image.", "bob remove");
  expect_answer(
      patch(bob_, active, replace_op({{{"url", object_url(11)}, {"metadata", json::object()}}})),
      403u, "You are not permitted to modify 'locations' on this image.", "bob replace");
  EXPECT_EQ(seen(active), before);
  // Refused before the api fetched anything.
  EXPECT_EQ(source_->hits("/object-11"), 0u);
}

TEST_F(ApiV2LocationPatch, RefusedUrlsAre400AndNothingIsStored) {
  std::string id = create(bob_, "loc-refused")["id"];
  const json before = seen(id);
  for (const std::string& url : {
           std::string("file:///etc/passwd"), std::string("FILE:///etc/passwd"),
           std::string("filesystem:///etc/passwd"), std::string("swift+config://ref1/glance/" + id),
           std::string("ftp://example.com/image"), std::string("gopher://127.0.0.1:9191/x"),
           std::string("http://192.0.2.5/image"), std::string("http://images.denied.example/image"),
           std::string("http://2130706433/image"), std::string("http:///no-host"),
           std::string("not a url"), std::string(""),
           std::string("s3://bucket/object-without-credentials"), source_->url("/missing"),
           source_->url("/status/500"),
           source_->url("/nolength/object-0"),  // no size to learn
       }) {
    expect_answer(patch(bob_, id, add_op(url)), 400u, "Invalid location", "add " + url);
    expect_answer(patch(bob_, id, replace_op({{{"url", url}, {"metadata", json::object()}}})), 400u,
                  "Invalid location", "replace " + url);
  }
  EXPECT_EQ(seen(id), before);
  EXPECT_EQ(seen(id)["status"], "queued");
}

TEST_F(ApiV2LocationPatch, AnotherTenantsStoreDataIsRefused) {
  // Alice's upload lands in the file store; its url is what an admin sees.
  std::string theirs = create(alice_, "loc-victim")["id"];
  ASSERT_EQ(alice_.put("/v2/images/" + theirs + "/file", "alice's secret", kOctets).status, 204u);
  const json victim = seen(theirs);
  ASSERT_EQ(victim["locations"].size(), 1u) << victim.dump();
  const std::string url = victim["locations"][0]["url"];
  ASSERT_EQ(url.rfind("file://", 0), 0u) << url;
  const std::string path = url.substr(std::string("file://").size());

  std::string mine = create(bob_, "loc-thief")["id"];
  const json before = seen(mine);
  for (const std::string& u :
       {url, "file://localhost" + path, "filesystem://" + path, "file:" + path, "FiLe://" + path})
    for (const HttpClient* c : {&bob_, &admin_}) {
      expect_answer(patch(*c, mine, add_op(u)), 400u, "Invalid location", "add " + u);
      expect_answer(patch(*c, mine, replace_op({{{"url", u}, {"metadata", json::object()}}})), 400u,
                    "Invalid location", "replace " + u);
    }
  EXPECT_EQ(seen(mine), before);
  EXPECT_EQ(bob_.get("/v2/images/" + mine + "/file").status, 204u);
  EXPECT_EQ(alice_.get("/v2/images/" + theirs + "/file").body, "alice's secret");
}

TEST_F(ApiV2LocationPatch, GarbageLocationObjectsAre400) {
  std::string id = create(bob_, "loc-garbage")["id"];
  const json before = seen(id);
  const auto baseline = warm_baseline();
  json deep = "leaf";
  for (int i = 0; i < 40; ++i) deep = json{{"d", deep}};
  json deep_ok = "leaf";
  for (int i = 0; i < 20; ++i) deep_ok = json{{"d", deep_ok}};
  const std::string u = object_url(8);
  for (const json& value : {
           json{{"metadata", json::object()}},                // no url
           json{{"url", 123}, {"metadata", json::object()}},  // url not a string
           json{{"url", nullptr}, {"metadata", json::object()}},
           json{{"url", json::array({u})}, {"metadata", json::object()}},
           json{{"url", u}},                     // no metadata
           json{{"url", u}, {"metadata", "x"}},  // metadata not an object
           json{{"url", u}, {"metadata", json::array()}},
           json{{"url", u}, {"metadata", nullptr}},
           json{{"url", u}, {"metadata", {{"n", 1}}}},  // values: objects, lists, strings
           json{{"url", u}, {"metadata", {{"l", {true}}}}},
           json{{"url", u}, {"metadata", deep_ok.dump()}},
           json{{"url", u}, {"metadata", deep}},
           json{{"url", u + "?" + std::string(300, 'a')}, {"metadata", json::object()}},
           json("just a string"),
           json::array(),
           json(nullptr),
       }) {
    auto r =
        patch(bob_, id, json::array({{{"op", "add"}, {"path", "/locations/-"}, {"value", value}}}));
    EXPECT_EQ(r.status, 400u) << value.dump().substr(0, 200) << ": " << r.body;
    r = patch(bob_, id,
              json::array({{{"op", "replace"}, {"path", "/locations"}, {"value", {value}}}}));
    EXPECT_EQ(r.status, 400u) << value.dump().substr(0, 200) << ": " << r.body;
  }
  // Megabytes of url: refused whole, past the 1 MiB limit of a JSON body, before any JSON is
  // read; at ten the daemon may stop reading and close the connection instead of answering.
  auto big = patch(bob_, id, add_op("http://example.com/" + std::string(2 << 20, 'a')));
  EXPECT_EQ(big.status, 413u) << big.body.substr(0, 200);
  try {
    auto huge = patch(bob_, id, add_op("http://example.com/" + std::string(10 << 20, 'a')));
    EXPECT_EQ(huge.status, 413u) << huge.body.substr(0, 200);
  } catch (const std::exception& e) {  // the send failed: the daemon closed the connection
    SUCCEED() << "connection closed while sending: " << e.what();
  }
  EXPECT_EQ(bob_.get("/v2/images/" + id).status, 200u);
  EXPECT_EQ(seen(id), before);
  expect_recovered(env_->api(), baseline);
  // Deep metadata within the parser's limits is fine when its leaves are strings.
  auto ok = patch(bob_, id, add_op(u, "-", deep_ok));
  EXPECT_EQ(ok.status, 200u) << ok.body;
}

TEST_F(ApiV2LocationPatch, RacingPatchesLeaveAConsistentList) {
  std::string id = located_image("loc-race", 0);
  constexpr int kWriters = 8;
  std::vector<unsigned> statuses(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      HttpClient c = env_->client(identity("tenant-b", "member", "bob"));
      statuses[i] = patch(c, id, add_op(object_url(1 + i))).status;
    });
  for (auto& t : writers) t.join();
  std::set<std::string> expected{object_url(0)};
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_TRUE(statuses[i] == 200u || statuses[i] == 409u) << i << ": " << statuses[i];
    if (statuses[i] == 200u) expected.insert(object_url(1 + i));
  }
  json image = seen(id);
  EXPECT_EQ(image["locations"].size(), expected.size()) << image.dump();
  EXPECT_EQ(urls_of(image), expected);
  EXPECT_EQ(image["status"], "active");

  // Everybody removes the first location at once: never the last one.
  const size_t count = image["locations"].size();
  std::vector<unsigned> removals(count + 2);
  std::vector<std::thread> removers;
  for (size_t i = 0; i < removals.size(); ++i)
    removers.emplace_back([&, i] {
      HttpClient c = env_->client(identity("tenant-b", "member", "bob"));
      removals[i] = patch(c, id, remove_op("0")).status;
    });
  for (auto& t : removers) t.join();
  size_t removed = 0;
  for (unsigned s : removals) {
    EXPECT_TRUE(s == 200u || s == 403u || s == 409u) << s;
    removed += s == 200u;
  }
  image = seen(id);
  EXPECT_GE(image["locations"].size(), 1u);
  EXPECT_EQ(image["locations"].size(), count - removed) << image.dump();
  EXPECT_EQ(urls_of(image).size(), image["locations"].size());
  EXPECT_EQ(image["status"], "active");
}

TEST_F(ApiV2LocationPatch, RemovingTheUploadedLocationDeletesOnlyThatData) {
  std::string id = create(bob_, "loc-upload")["id"];
  ASSERT_EQ(bob_.put("/v2/images/" + id + "/file", "uploaded bytes", kOctets).status, 204u);
  const size_t files = env_->stored_files();
  auto r = patch(bob_, id, add_op(object_url(9)));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["size"], 14);  // the size the upload gave stays
  std::string uploaded;
  const json added = r.json();
  for (const auto& l : added["locations"])
    if (l["url"].get<std::string>().rfind("file://", 0) == 0)
      uploaded = l["url"].get<std::string>();
  ASSERT_FALSE(uploaded.empty()) << r.body;

  // The http location goes: nothing is deleted there, nor here.
  std::string other = located_image("loc-upload-other", 9);
  r = patch(bob_, other, add_op(object_url(10)));
  ASSERT_EQ(r.status, 200u) << r.body;
  r = patch(bob_, other, remove_op("0"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(env_->stored_files(), files);

  // The uploaded one goes: its file with it; the image reads from the http location.
  json image = seen(id);
  size_t index = 0;
  for (; index < image["locations"].size(); ++index)
    if (image["locations"][index]["url"] == uploaded) break;
  r = patch(bob_, id, remove_op(std::to_string(index)));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(urls_of(r.json()), std::set<std::string>{object_url(9)});
  EXPECT_EQ(env_->stored_files(), files - 1);
  EXPECT_EQ(bob_.get("/v2/images/" + id + "/file").body, random_bytes(kObjectBytes, 19));
}

// With delayed_delete, a removed location's data stays for whoever scrubs pending_delete rows.
class ApiV2LocationPatchDelayed : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    source_ = new SourceServer();
    source_->put("/object", random_bytes(kObjectBytes, 1));
    start_shared_api("show_multiple_locations = true\ndelayed_delete = true\n",
                     "stores = file, http\n");
  }
  static void TearDownTestSuite() {
    SharedTenantsApiTest::TearDownTestSuite();
    delete source_;
    source_ = nullptr;
  }
  static inline SourceServer* source_ = nullptr;
};

TEST_F(ApiV2LocationPatchDelayed, ARemovedUploadKeepsItsData) {
  std::string id = create(admin_, "loc-delayed")["id"];
  ASSERT_EQ(admin_.put("/v2/images/" + id + "/file", "kept bytes", kOctets).status, 204u);
  const size_t files = env_->stored_files();
  auto r = patch(admin_, id, add_op(source_->url("/object")));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json added = r.json();
  size_t uploaded = added["locations"].size();
  for (size_t i = 0; i < added["locations"].size(); ++i)
    if (added["locations"][i]["url"].get<std::string>().rfind("file://", 0) == 0) uploaded = i;
  ASSERT_LT(uploaded, added["locations"].size()) << r.body;
  r = patch(admin_, id, remove_op(std::to_string(uploaded)));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(urls_of(r.json()), std::set<std::string>{source_->url("/object")});
  EXPECT_EQ(env_->stored_files(), files);
  EXPECT_EQ(admin_.get("/v2/images/" + id + "/file").body, random_bytes(kObjectBytes, 1));
}

}  // namespace
}  // namespace glance::testing
