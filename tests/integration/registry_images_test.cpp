// Registry image routes against a real glance-registry and a private MariaDB.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

class RegistryImages : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() { start_shared_registry(); }
  HttpClient client() const { return HttpClient(env_->daemon().port()); }

  json create(json image) const {
    auto r = client().post("/images", json{{"image", image}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"];
  }
};

TEST_F(RegistryImages, CreateReturnsTheFullImageWithDefaults) {
  auto img = create({{"name", "cirros"}, {"status", "queued"}, {"properties", {{"a", "b"}}}});
  EXPECT_EQ(img["name"], "cirros");
  EXPECT_EQ(img["status"], "queued");
  EXPECT_EQ(img["min_disk"], 0);
  EXPECT_EQ(img["min_ram"], 0);
  EXPECT_EQ(img["protected"], false);
  EXPECT_EQ(img["is_public"], false);
  EXPECT_EQ(img["deleted"], false);
  EXPECT_TRUE(img["owner"].is_null());  // the unauthenticated context has no tenant
  EXPECT_EQ(img["properties"], json({{"a", "b"}}));
  EXPECT_EQ(img["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(img["created_at"].get<std::string>().size(), 26u);
  EXPECT_EQ(img["created_at"], img["updated_at"]);
  auto shown = client().get("/images/" + img["id"].get<std::string>());
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.json()["image"], img);
  EXPECT_EQ(shown.header("Content-Type"), "application/json");
  EXPECT_TRUE(shown.header("x-openstack-request-id")->starts_with("req-"));
}

TEST_F(RegistryImages, StatusDefaultsToActiveAndGivenIdIsKept) {
  auto img = create({{"id", "0E7C0C2E-0000-4000-8000-0000000000AA"}});
  EXPECT_EQ(img["status"], "active");
  EXPECT_EQ(img["id"], "0E7C0C2E-0000-4000-8000-0000000000AA");
}

TEST_F(RegistryImages, DuplicateIdIsAConflictEvenAfterDelete) {
  std::string id = "0e7c0c2e-0000-4000-8000-0000000000bb";
  create({{"id", id}, {"status", "queued"}});
  auto dup = client().post("/images", json{{"image", {{"id", id}}}}.dump());
  EXPECT_EQ(dup.status, 409u);
  EXPECT_NE(dup.body.find("already exists"), std::string::npos);
  ASSERT_EQ(client().del("/images/" + id).status, 200u);
  EXPECT_EQ(client().post("/images", json{{"image", {{"id", id}}}}.dump()).status, 409u);
}

TEST_F(RegistryImages, BadInputIsA400AndWritesNothing) {
  auto before = client().get("/images/detail?is_public=none&limit=1000").json()["images"].size();
  for (const std::string& body :
       {std::string("{not json"), std::string("\"a string\""), std::string("{}"),
        json{{"image", {{"id", "not-a-uuid"}}}}.dump(),
        json{{"image", {{"status", "bogus"}}}}.dump(), json{{"image", {{"name", 42}}}}.dump(),
        json{{"image", {{"size", "big"}}}}.dump(),
        json{{"image", {{"min_ram", 2147483648LL}}}}.dump(),
        json{{"image", {{"min_disk", 2147483648LL}}}}.dump(),
        json{{"image", {{"name", std::string(256, 'x')}}}}.dump(),
        json{{"image", {{"checksum", std::string(33, 'a')}}}}.dump(),
        json{{"image", {{"created_at", "yesterday"}}}}.dump()}) {
    auto r = client().post("/images", body);
    EXPECT_EQ(r.status, 400u) << body << " -> " << r.body;
  }
  auto min_ram = client().post("/images", json{{"image", {{"min_ram", 2147483648LL}}}}.dump());
  EXPECT_NE(min_ram.body.find("'min_ram' value out of range"), std::string::npos);
  EXPECT_EQ(client().get("/images/detail?is_public=none&limit=1000").json()["images"].size(),
            before);
  EXPECT_EQ(create({{"min_ram", 2147483647LL}})["min_ram"], 2147483647LL);
}

TEST_F(RegistryImages, OversizeBodyIs413) {
  std::string huge = json{{"image", {{"name", std::string(2 << 20, 'x')}}}}.dump();
  EXPECT_EQ(client().post("/images", huge).status, 413u);
}

TEST_F(RegistryImages, MissingImagesAre404) {
  EXPECT_EQ(client().get("/images/0e7c0c2e-0000-4000-8000-00000000ffff").status, 404u);
  EXPECT_EQ(client().get("/images/" + std::string(40, 'a')).status, 404u);
  EXPECT_EQ(client()
                .put("/images/0e7c0c2e-0000-4000-8000-00000000ffff",
                     json{{"image", {{"name", "x"}}}}.dump())
                .status,
            404u);
  EXPECT_EQ(client().del("/images/0e7c0c2e-0000-4000-8000-00000000ffff").status, 404u);
}

TEST_F(RegistryImages, UpdateMergesOrPurgesProperties) {
  auto img = create({{"status", "queued"}, {"properties", {{"a", "1"}, {"b", "2"}}}});
  std::string path = "/images/" + img["id"].get<std::string>();
  auto merged = client().put(path, json{{"image", {{"properties", {{"c", "3"}}}}}}.dump());
  ASSERT_EQ(merged.status, 200u) << merged.body;
  EXPECT_EQ(merged.json()["image"]["properties"], json({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  auto purged = client().put(path, json{{"image", {{"properties", {{"b", "20"}}}}}}.dump(),
                             {{"X-Glance-Registry-Purge-Props", "true"}});
  ASSERT_EQ(purged.status, 200u);
  EXPECT_EQ(purged.json()["image"]["properties"], json({{"b", "20"}}));
  // Only the exact lower-case "true" purges.
  auto not_purged = client().put(path, json{{"image", {{"properties", {{"d", "4"}}}}}}.dump(),
                                 {{"X-Glance-Registry-Purge-Props", "True"}});
  EXPECT_EQ(not_purged.json()["image"]["properties"], json({{"b", "20"}, {"d", "4"}}));
  // A property deleted by purge comes back when set again.
  auto again = client().put(path, json{{"image", {{"properties", {{"a", "back"}}}}}}.dump());
  EXPECT_EQ(again.json()["image"]["properties"]["a"], "back");
}

TEST_F(RegistryImages, UpdateIgnoresProtectedFieldsAndRefreshesUpdatedAt) {
  auto img = create({{"status", "queued"}, {"name", "n"}});
  std::string path = "/images/" + img["id"].get<std::string>();
  auto r = client().put(path, json{{"image",
                                    {{"name", "renamed"},
                                     {"created_at", "2000-01-01T00:00:00"},
                                     {"deleted", true},
                                     {"no_such_column", 1}}}}
                                  .dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto out = r.json()["image"];
  EXPECT_EQ(out["name"], "renamed");
  EXPECT_EQ(out["created_at"], img["created_at"]);
  EXPECT_EQ(out["deleted"], false);
  EXPECT_GT(out["updated_at"].get<std::string>(), img["updated_at"].get<std::string>());
}

TEST_F(RegistryImages, CompareAndSetOnFromState) {
  auto img = create({{"status", "queued"}});
  std::string path = "/images/" + img["id"].get<std::string>();
  auto to_saving =
      client().put(path, json{{"image", {{"status", "saving"}}}, {"from_state", "queued"}}.dump());
  ASSERT_EQ(to_saving.status, 200u);
  auto stale =
      client().put(path, json{{"image", {{"status", "active"}}}, {"from_state", "queued"}}.dump());
  EXPECT_EQ(stale.status, 409u);
  EXPECT_NE(stale.body.find("Image operation conflicts"), std::string::npos);
  EXPECT_EQ(client().get(path).json()["image"]["status"], "saving");
  auto activate = client().put(path, json{{"image",
                                           {{"status", "active"},
                                            {"size", 5},
                                            {"checksum", std::string(32, 'a')},
                                            {"location", "file:///var/lib/glance/images/x"}}},
                                          {"from_state", "saving"}}
                                         .dump());
  ASSERT_EQ(activate.status, 200u) << activate.body;
  auto out = activate.json()["image"];
  EXPECT_EQ(out["status"], "active");
  EXPECT_EQ(out["location"], "file:///var/lib/glance/images/x");
  ASSERT_EQ(out["location_data"].size(), 1u);
  EXPECT_EQ(out["location_data"][0]["status"], "active");
  EXPECT_EQ(client().put(path, json{{"image", {}}, {"from_state", "bogus"}}.dump()).status, 400u);
}

TEST_F(RegistryImages, DigestFieldsAreColumnsThatPropertyPurgesLeaveAlone) {
  auto img = create({{"status", "queued"}, {"properties", {{"a", "1"}}}});
  std::string path = "/images/" + img["id"].get<std::string>();
  EXPECT_TRUE(img["os_hash_algo"].is_null());
  std::string digest(64, 'f');
  auto set = client().put(
      path, json{{"image", {{"os_hash_algo", "sha256"}, {"os_hash_value", digest}}}}.dump());
  ASSERT_EQ(set.status, 200u) << set.body;
  auto purged = client().put(path, json{{"image", {{"properties", json::object()}}}}.dump(),
                             {{"X-Glance-Registry-Purge-Props", "true"}});
  auto out = purged.json()["image"];
  EXPECT_TRUE(out["properties"].empty());
  EXPECT_EQ(out["os_hash_algo"], "sha256");
  EXPECT_EQ(out["os_hash_value"], digest);
}

TEST_F(RegistryImages, DeleteSoftDeletesEverything) {
  auto img =
      create({{"status", "active"}, {"properties", {{"p", "v"}}}, {"location", "file:///x"}});
  std::string id = img["id"];
  ASSERT_EQ(
      client()
          .put("/images/" + id + "/members", json{{"memberships", {{{"member_id", "t9"}}}}}.dump())
          .status,
      204u);
  auto r = client().del("/images/" + id);
  ASSERT_EQ(r.status, 200u);
  auto out = r.json()["image"];
  EXPECT_EQ(out["deleted"], true);
  EXPECT_FALSE(out["deleted_at"].is_null());
  EXPECT_TRUE(out["location_data"].empty());
  EXPECT_TRUE(out["properties"].empty());
  auto db = env_->database();
  auto& server = MariadbServer::instance();
  EXPECT_EQ(
      server.sql("SELECT COUNT(*) FROM image_properties WHERE image_id='" + id + "' AND deleted=1",
                 db),
      "1\n");
  EXPECT_EQ(server.sql("SELECT status FROM image_locations WHERE image_id='" + id + "'", db),
            "deleted\n");
  EXPECT_EQ(server.sql("SELECT deleted FROM image_members WHERE image_id='" + id + "'", db), "1\n");
  // Admins still see the row.
  auto shown = client().get("/images/" + id);
  EXPECT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.json()["image"]["deleted"], true);
  EXPECT_EQ(client().get("/images/detail").json()["images"].size(),
            client().get("/images/detail").json()["images"].size());
}

TEST_F(RegistryImages, UnknownMethodOnKnownPathIs404) {
  EXPECT_EQ(client().request("PATCH", "/images").status, 404u);
  EXPECT_EQ(client().request("POST", "/images/detail").status, 404u);
  EXPECT_EQ(client().get("/nothing/here").status, 404u);
}

TEST_F(RegistryImages, RootListsLikeImagesForAnyMethod) {
  auto img = create({{"is_public", true}, {"name", "root-listed"}});
  for (const char* method : {"GET", "POST"}) {
    auto r = client().request(method, "/?limit=1000");
    ASSERT_EQ(r.status, 200u);
    bool found = false;
    for (const auto& i : json_field(r, "images")) found |= i["id"] == img["id"];
    EXPECT_TRUE(found) << method;
  }
}

TEST_F(RegistryImages, ErrorBodiesFollowAccept) {
  auto id = "/images/0e7c0c2e-0000-4000-8000-00000000fffe";
  auto json_err = client().get(id, {{"Accept", "application/json"}});
  EXPECT_EQ(json_err.status, 404u);
  EXPECT_EQ(json_err.json()["code"], "404 Not Found");
  auto html = client().get(id, {{"Accept", "text/html"}});
  EXPECT_NE(html.body.find("<h1>404 Not Found</h1>"), std::string::npos);
  auto plain = client().get(id);
  EXPECT_TRUE(plain.body.starts_with("404 Not Found"));
}

TEST_F(RegistryImages, HealthcheckAnswersOk) {
  auto r = client().get("/healthcheck");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "OK");
}

TEST_F(RegistryImages, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string req =
      "GET /images HTTP/1.1\r\nHost: x\r\n\r\nGET /images HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n";
  auto out = client().raw(req);
  size_t first = out.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(out.find("HTTP/1.1 200", first + 1), std::string::npos);
}

TEST_F(RegistryImages, ConflictingFramingIsRefusedAndClosed) {
  auto out = client().raw(
      "POST /images HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
}

TEST_F(RegistryImages, ExpectContinueGetsAnInterimResponse) {
  std::string body = json{{"image", {{"name", "continued"}}}}.dump();
  auto out = client().raw(
      "POST /images HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200")) << out;
}

}  // namespace
}  // namespace glance::testing
