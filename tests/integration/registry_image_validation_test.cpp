// Invalid image fields sent straight to a real glance-registry (trusted-auth, so callers are
// admins or not): refused with a 400 before anything is stored; system fields from non-admins
// ignored.

#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

class RegistryImageValidation : public SharedRegistryTest {
 protected:
  static void SetUpTestSuite() { start_shared_registry(kTrustedAuth); }

  static HttpClient admin() { return as("adm", "admin"); }

  // Every image row, deleted ones included, straight from the database.
  static std::string image_rows() {
    return MariadbServer::instance().sql("SELECT COUNT(*) FROM images", env_->database()) +
           MariadbServer::instance().sql("SELECT COUNT(*) FROM image_properties",
                                         env_->database()) +
           MariadbServer::instance().sql("SELECT COUNT(*) FROM image_locations", env_->database());
  }
};

// Each holds one invalid field; all but the type errors pass the JSON codec.
std::vector<json> invalid_images() {
  return {
      {{"size", -1}},
      {{"size", "-1"}},
      {{"size", json::parse("9223372036854775808")}},
      {{"size", json::parse("18446744073709551615")}},
      {{"virtual_size", -5}},
      {{"min_disk", -1}},
      {{"min_ram", -1}},
      {{"min_disk", 2147483648LL}},
      {{"name", "two\r\nlines"}},
      {{"name", std::string(256, 'n')}},
      {{"owner", std::string(256, 'o')}},
      {{"owner", std::string("nul\0", 4)}},
      {{"disk_format", std::string(21, 'd')}},
      {{"container_format", ""}},
      {{"checksum", "abc"}},
      {{"checksum", std::string(32, 'g')}},
      {{"os_hash_value", "not hex"}},
      {{"os_hash_algo", "sha256\n"}},
      {{"created_at", "yesterday"}},
      {{"properties", {{"nested", {{"a", "b"}}}}}},
      {{"properties", {{"list", json::array({1, 2})}}}},
      {{"properties", {{"number", 5}}}},
      {{"properties", {{"evil\r\nX-Injected: yes", "v"}}}},
      {{"properties", {{"", "v"}}}},
      {{"properties", {{"a b", "v"}}}},
      {{"properties", {{"a:b", "v"}}}},
      {{"properties", {{std::string(256, 'p'), "v"}}}},
      {{"properties", {{"p", "a\r\nX-Injected: yes"}}}},
      {{"properties", {{"p", std::string("a\0b", 3)}}}},
      {{"properties", {{"p", std::string(65536, 'v')}}}},
      {{"location", ""}},
      {{"location", "http://h/a\nb"}},
      {{"location", 42}},
      {{"location_data", {{{"url", "http://h/x"}, {"status", "bogus"}}}}},
      {{"location_data", {{{"url", "http://h/x"}, {"metadata", "m"}}}}},
      {{"location_data", {{{"url", "http://h/x"}, {"id", "three"}}}}},
      {{"id", "not-a-uuid"}},
      {{"is_public", json::object()}},
      {{"status", 3}},
  };
}

TEST_F(RegistryImageValidation, CreateRefusesEveryInvalidFieldAndStoresNothing) {
  const std::string before = image_rows();
  for (const auto& image : invalid_images()) {
    auto r =
        admin().post("/images", json{{"image", image}}.dump(), {{"Accept", "application/json"}});
    EXPECT_EQ(r.status, 400u) << image.dump(-1, ' ', false, json::error_handler_t::replace)
                              << " -> " << r.body;
    if (r.status == 400u) EXPECT_EQ(r.json()["code"], "400 Bad Request");
  }
  EXPECT_EQ(image_rows(), before);
  // Both sides of the bounds still pass.
  auto ok = admin().post("/images", json{{"image",
                                          {{"name", std::string(255, 'n')},
                                           {"min_disk", 2147483647LL},
                                           {"size", json::parse("9223372036854775807")},
                                           {"checksum", std::string(32, 'a')},
                                           {"properties", {{std::string(255, 'p'), "a\tb"}}}}}}
                                        .dump());
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json()["image"]["size"], 9223372036854775807LL);
}

TEST_F(RegistryImageValidation, UpdateRefusesEveryInvalidFieldAndLeavesTheImageUnchanged) {
  auto created = admin().post(
      "/images",
      json{{"image", {{"name", "target"}, {"status", "queued"}, {"properties", {{"a", "1"}}}}}}
          .dump());
  ASSERT_EQ(created.status, 200u) << created.body;
  std::string path = "/images/" + created.json()["image"]["id"].get<std::string>();
  const json original = admin().get(path).json();
  const std::string before = image_rows();
  for (const auto& image : invalid_images()) {
    if (image.contains("id") || image.contains("created_at")) continue;  // ignored on update
    auto r = admin().put(path, json{{"image", image}}.dump(),
                         {{"X-Glance-Registry-Purge-Props", "true"}});
    EXPECT_EQ(r.status, 400u) << image.dump(-1, ' ', false, json::error_handler_t::replace)
                              << " -> " << r.body;
  }
  EXPECT_EQ(admin().get(path).json(), original);
  EXPECT_EQ(image_rows(), before);
}

TEST_F(RegistryImageValidation, UpdateIgnoresRatherThanJudgesFieldsNobodySets) {
  auto created = admin().post("/images", json{{"image", {{"status", "queued"}}}}.dump());
  ASSERT_EQ(created.status, 200u);
  std::string path = "/images/" + created.json()["image"]["id"].get<std::string>();
  auto r = admin().put(path, json{{"image",
                                   {{"id", "not-a-uuid"},
                                    {"created_at", "yesterday"},
                                    {"deleted", true},
                                    {"name", "renamed"}}}}
                                 .dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["image"]["name"], "renamed");
  EXPECT_EQ(r.json()["image"]["deleted"], false);
}

TEST_F(RegistryImageValidation, NonAdminCreateIgnoresSystemFields) {
  const json system = {{"deleted", true},
                       {"deleted_at", "2001-01-01T00:00:00"},
                       {"created_at", "2000-01-01T00:00:00"},
                       {"updated_at", "2000-01-02T00:00:00"}};
  json image = system;
  image["name"] = "backdated";
  image["status"] = "queued";
  image["owner"] = "someone-else";
  auto r = as("t1").post("/images", json{{"image", image}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto out = r.json()["image"];
  EXPECT_EQ(out["deleted"], false);
  EXPECT_TRUE(out["deleted_at"].is_null());
  EXPECT_GT(out["created_at"].get<std::string>(), "2020");
  EXPECT_GT(out["updated_at"].get<std::string>(), "2020");
  EXPECT_EQ(out["owner"], "t1");
  auto shown = as("t1").get("/images/" + out["id"].get<std::string>());
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.json()["image"]["deleted"], false);
  // Invalid values of ignored fields are not judged either.
  auto ignored = as("t1").post("/images", json{{"image", {{"created_at", "yesterday"}}}}.dump());
  EXPECT_EQ(ignored.status, 200u) << ignored.body;

  // Admins keep them (upstream's quirk: an admin may create an already-deleted row).
  image["owner"] = "t1";
  auto by_admin = admin().post("/images", json{{"image", image}}.dump());
  ASSERT_EQ(by_admin.status, 200u) << by_admin.body;
  EXPECT_EQ(by_admin.json()["image"]["deleted"], true);
  EXPECT_EQ(by_admin.json()["image"]["created_at"], "2000-01-01T00:00:00.000000");
}

TEST_F(RegistryImageValidation, NonAdminUpdateIgnoresSystemFieldsAndOwner) {
  auto created = as("t2").post("/images", json{{"image", {{"status", "queued"}}}}.dump());
  ASSERT_EQ(created.status, 200u);
  auto img = created.json()["image"];
  std::string path = "/images/" + img["id"].get<std::string>();
  auto r = as("t2").put(path, json{{"image",
                                    {{"deleted", true},
                                     {"deleted_at", "2001-01-01T00:00:00"},
                                     {"created_at", "2000-01-01T00:00:00"},
                                     {"owner", std::string(300, 'o')},
                                     {"name", "mine"}}}}
                                  .dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto out = r.json()["image"];
  EXPECT_EQ(out["name"], "mine");
  EXPECT_EQ(out["owner"], "t2");
  EXPECT_EQ(out["deleted"], false);
  EXPECT_EQ(out["created_at"], img["created_at"]);
  EXPECT_EQ(admin().get("/healthcheck").status, 200u);  // still serving
}

}  // namespace
}  // namespace glance::testing
