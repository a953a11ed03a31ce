// glance-api over real HTTP in front of a real glance-registry and MariaDB: the image routes.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

class ApiImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  HttpClient c_ = env_->client();
  static ApiEnvironment* env_;

  std::string create(const std::string& name, const std::string& data = "",
                     const HeaderList& extra = {}) {
    auto r =
        c_.post("/v1/images", data, with(with(kRawBare, {{"x-image-meta-name", name}}), extra));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
};
ApiEnvironment* ApiImages::env_ = nullptr;

TEST_F(ApiImages, VersionNegotiation) {
  EXPECT_EQ(c_.get("/").status, 300u);
  auto versions = c_.get("/versions");
  EXPECT_EQ(versions.status, 200u);
  // v2 (enabled by default) comes first, as upstream lists it.
  EXPECT_EQ(versions.json()["versions"][0]["id"], "v2.6");
  EXPECT_EQ(versions.json()["versions"][7]["id"], "v1.1");
  EXPECT_EQ(c_.get("/v1.1/images").status, 200u);
  EXPECT_EQ(c_.get("/v1.0/images").status, 200u);
  EXPECT_EQ(c_.get("/v3/images").status, 300u);
  EXPECT_EQ(c_.get("/images", {{"Accept", "application/vnd.openstack.images-v1"}}).status, 200u);
  EXPECT_EQ(c_.get("/healthcheck").body, "OK");
}

TEST_F(ApiImages, RoutingAnswers) {
  EXPECT_EQ(c_.head("/v1/images/detail").header("Allow"), std::optional<std::string>("GET"));
  auto del = c_.del("/v1/images");
  EXPECT_EQ(del.status, 405u);
  EXPECT_EQ(del.header("Allow"), std::optional<std::string>("GET, POST"));
  EXPECT_EQ(c_.get("/v1/images/new").status, 404u);
  EXPECT_EQ(c_.get("/v1/images/").status, 404u);
  EXPECT_EQ(c_.head("/v1/images/" + std::string(40, 'a')).status, 404u);
}

TEST_F(ApiImages, CreateWithoutDataIsQueuedAndSizeZeroIsActive) {
  auto r = c_.post("/v1/images", "", {{"x-image-meta-name", "draft"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  auto image = r.json()["image"];
  EXPECT_EQ(image["status"], "queued");
  EXPECT_EQ(image["size"], 0);
  EXPECT_TRUE(image["disk_format"].is_null());
  EXPECT_FALSE(image.contains("location"));
  std::string id = image["id"];
  EXPECT_NE(r.header("Location").value_or("").find("/v1/images/" + id), std::string::npos);
  EXPECT_EQ(c_.get("/v1/images/" + id).status, 404u);  // not active

  auto empty = c_.post("/v1/images", "", {{"x-image-meta-name", "e"}, {"x-image-meta-size", "0"}});
  ASSERT_EQ(empty.status, 201u);
  EXPECT_EQ(empty.json()["image"]["status"], "active");
  auto got = c_.get("/v1/images/" + std::string(empty.json()["image"]["id"]));
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(got.header("Content-Length"), std::optional<std::string>("0"));
}

TEST_F(ApiImages, UploadThenDownloadByteExactWithChecksum) {
  std::string data = random_bytes(3 << 20, 7);
  auto r = c_.post("/v1/images", data,
                   with(kRawBare, {{"x-image-meta-name", "blob"},
                                   {"x-image-meta-property-Distro-Name", "cirros"}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  auto image = r.json()["image"];
  std::string md5 = common::md5_hex(data);
  EXPECT_EQ(image["status"], "active");
  EXPECT_EQ(image["checksum"], md5);
  EXPECT_EQ(image["size"], data.size());
  EXPECT_EQ(image["properties"]["distro_name"], "cirros");
  EXPECT_EQ(r.header("ETag"), std::optional<std::string>(md5));
  std::string id = image["id"];

  auto got = c_.get("/v1/images/" + id);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body.size(), data.size());
  EXPECT_TRUE(got.body == data);
  EXPECT_EQ(common::md5_hex(got.body), md5);
  EXPECT_EQ(got.header("Content-Type"), std::optional<std::string>("application/octet-stream"));
  EXPECT_EQ(got.header("x-image-meta-checksum"), std::optional<std::string>(md5));
  EXPECT_EQ(got.header("ETag"), std::optional<std::string>(md5));

  auto head = c_.head("/v1/images/" + id);
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-status"), std::optional<std::string>("active"));
  EXPECT_EQ(head.header("x-image-meta-is_public"), std::optional<std::string>("False"));
  EXPECT_EQ(head.header("x-image-meta-size"),
            std::optional<std::string>(std::to_string(data.size())));
  EXPECT_EQ(head.header("x-image-meta-property-distro_name"), std::optional<std::string>("cirros"));
  EXPECT_FALSE(head.header("x-image-meta-location"));
  EXPECT_EQ(head.body, "");
}

TEST_F(ApiImages, ChunkedUploadWithDeclaredSize) {
  std::string data = random_bytes(1 << 20, 3);
  auto r = c_.request("POST", "/v1/images",
                      with(kRawBare, {{"x-image-meta-name", "chunked"},
                                      {"x-image-meta-size", std::to_string(data.size())}}),
                      data, true);
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["checksum"], common::md5_hex(data));
  EXPECT_EQ(c_.get("/v1/images/" + std::string(r.json()["image"]["id"])).body, data);
}

TEST_F(ApiImages, PutDataToQueuedImageThenNotAgain) {
  auto r = c_.post("/v1/images", "", {{"x-image-meta-name", "later"}});
  std::string id = r.json()["image"]["id"];
  auto no_formats =
      c_.put("/v1/images/" + id, "data", {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(no_formats.status, 400u);
  EXPECT_NE(no_formats.body.find("Disk format is not specified"), std::string::npos);
  auto put = c_.put("/v1/images/" + id, "data", kRawBare);
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(put.json()["image"]["status"], "active");
  EXPECT_EQ(put.json()["image"]["checksum"], common::md5_hex(std::string("data")));
  EXPECT_EQ(c_.put("/v1/images/" + id, "more", kRawBare).status, 409u);
}

TEST_F(ApiImages, ListAndDetailPassFiltersSortingAndPagingThrough) {
  for (const char* name : {"page-a", "page-b", "page-c", "page-d", "page-e"})
    create(name, "x",
           {{"x-image-meta-property-suite", "paging"}, {"x-image-meta-is_public", "True"}});
  auto brief = c_.get("/v1/images?limit=2&sort_key=name&sort_dir=asc&property-suite=paging");
  ASSERT_EQ(brief.status, 200u) << brief.body;
  auto images = brief.json()["images"];
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0]["name"], "page-a");
  EXPECT_EQ(images[0].size(), 6u);  // id, name, size, disk_format, container_format, checksum
  std::string marker = images[1]["id"];
  auto next = c_.get(
      "/v1/images/detail?limit=2&sort_key=name&sort_dir=asc&property-suite=paging"
      "&marker=" +
      marker);
  ASSERT_EQ(next.status, 200u);
  auto page = next.json()["images"];
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]["name"], "page-c");
  EXPECT_EQ(page[0]["properties"]["suite"], "paging");
  EXPECT_FALSE(page[0].contains("location"));
  auto named = c_.get("/v1/images/detail?name=page-e");
  ASSERT_EQ(named.json()["images"].size(), 1u);
  EXPECT_EQ(c_.get("/v1/images?sort_key=foo").status, 400u);
  EXPECT_EQ(c_.get("/v1/images?size_min=-1").status, 400u);
  EXPECT_EQ(c_.get("/v1/images?marker=not-a-uuid").status, 400u);
}

TEST_F(ApiImages, UpdatePurgesPropertiesUnlessToldNotTo) {
  std::string id =
      create("props", "", {{"x-image-meta-property-a", "1"}, {"x-image-meta-property-b", "2"}});
  auto merged = c_.put("/v1/images/" + id, "",
                       {{"x-image-meta-property-c", "3"},
                        {"x-image-meta-property-a", "10"},
                        {"x-glance-registry-purge-props", "false"}});
  ASSERT_EQ(merged.status, 200u) << merged.body;
  auto props = merged.json()["image"]["properties"];
  EXPECT_EQ(props, (json{{"a", "10"}, {"b", "2"}, {"c", "3"}}));
  auto purged = c_.put("/v1/images/" + id, "",
                       {{"x-image-meta-property-c", "4"}, {"x-image-meta-name", "renamed"}});
  ASSERT_EQ(purged.status, 200u);
  EXPECT_EQ(purged.json()["image"]["properties"], (json{{"c", "4"}}));
  EXPECT_EQ(purged.json()["image"]["name"], "renamed");
  EXPECT_EQ(c_.put("/v1/images/" + id, "", {{"x-image-meta-status", "active"}}).status, 403u);
  EXPECT_EQ(c_.put("/v1/images/00000000-0000-0000-0000-000000000000", "").status, 404u);
}

TEST_F(ApiImages, DeleteRemovesTheDataAndTheImage) {
  size_t before = env_->stored_files();
  std::string id = create("doomed", "bytes");
  EXPECT_EQ(env_->stored_files(), before + 1);
  auto del = c_.del("/v1/images/" + id);
  EXPECT_EQ(del.status, 200u) << del.body;
  EXPECT_EQ(env_->stored_files(), before);
  auto head = c_.head("/v1/images/" + id);  // the default context is admin: deleted rows show
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-deleted"), std::optional<std::string>("True"));
  EXPECT_EQ(head.header("x-image-meta-status"), std::optional<std::string>("deleted"));
  EXPECT_EQ(c_.get("/v1/images/" + id).status, 404u);
  EXPECT_EQ(c_.del("/v1/images/" + id).status, 404u);
  EXPECT_EQ(c_.put("/v1/images/" + id, "").status, 403u);
}

TEST_F(ApiImages, ProtectedImagesCannotBeDeleted) {
  std::string id = create("guarded", "", {{"x-image-meta-protected", "True"}});
  auto refused = c_.del("/v1/images/" + id);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_NE(refused.body.find("Image is protected"), std::string::npos);
  ASSERT_EQ(c_.put("/v1/images/" + id, "", {{"x-image-meta-protected", "False"}}).status, 200u);
  EXPECT_EQ(c_.del("/v1/images/" + id).status, 200u);
}

TEST_F(ApiImages, BadInputIsAClear4xxAndNothingIsStored) {
  size_t before = env_->stored_files();
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-foo", "1"}}).status, 400u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-size", "abc"}}).status, 400u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-disk_format", "floppy"}}).status, 400u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-id", "not-a-uuid"}}).status, 400u);
  auto loc = c_.post("/v1/images", "", {{"x-image-meta-location", "http://example.com/x"}});
  EXPECT_EQ(loc.status, 400u);
  EXPECT_NE(loc.body.find("External sources are not supported"), std::string::npos);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-glance-api-copy-from", "file:///etc/passwd"}}).status,
            400u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-store", "swift"}}).status, 400u);
  auto both = c_.raw(
      "POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(both.substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(env_->stored_files(), before);
  EXPECT_EQ(c_.get("/v1/images").status, 200u);  // still serving
}

TEST_F(ApiImages, InvalidFieldsAreRefusedBeforeAnythingIsReserved) {
  auto count = [] {
    return MariadbServer::instance().sql("SELECT COUNT(*) FROM images",
                                         env_->registry().database());
  };
  const std::string before = count();
  for (const HeaderList& headers :
       std::vector<HeaderList>{{{"x-image-meta-checksum", "abc"}, {"x-image-meta-size", "0"}},
                               {{"x-image-meta-min_ram", "2147483648"}},
                               {{"x-image-meta-owner", std::string(256, 'o')}},
                               {{"x-image-meta-property-" + std::string(256, 'p'), "v"}},
                               // Not UTF-8: forwarding it as JSON must not fail halfway.
                               {{"x-image-meta-property-p", "\xC3("}},
                               {{"x-image-meta-name", "caf\xE9"}}}) {
    auto r = c_.post("/v1/images", "", headers);
    EXPECT_EQ(r.status, 400u) << headers[0].first << " -> " << r.body;
  }
  EXPECT_EQ(count(), before);
  EXPECT_EQ(c_.get("/v1/images").status, 200u);  // still serving
}

TEST_F(ApiImages, StoredPropertiesThatWouldForgeHeadersAreNotRendered) {
  std::string id = create("forged", "data");
  // Rows the registry refuses today, as an older writer or another tool could have left them.
  for (const std::string& name_and_value :
       {std::string("CONCAT('evil', CHAR(13), CHAR(10), 'X-Injected: name'), 'v'"),
        std::string("'colon:x-injected-too', 'v'"), std::string("'spaced name', 'v'"),
        std::string("'fine', CONCAT('a', CHAR(13), CHAR(10), 'X-Injected: value')"),
        std::string("'bell', CONCAT('a', CHAR(7))")})
    MariadbServer::instance().sql(
        "INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted) "
        "VALUES ('" +
            id + "', " + name_and_value + ", NOW(), NOW(), 0)",
        env_->registry().database());
  ASSERT_EQ(
      c_.put("/v1/images/" + id, "",
             {{"x-image-meta-property-kept", "yes"}, {"x-glance-registry-purge-props", "false"}})
          .status,
      200u);
  for (const std::string& method : {std::string("HEAD"), std::string("GET")}) {
    std::string raw =
        c_.raw(method + " /v1/images/" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string head = raw.substr(0, raw.find("\r\n\r\n"));
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
    EXPECT_NE(head.find("x-image-meta-property-kept: yes\r\n"), std::string::npos) << head;
    for (const char* forged : {"X-Injected", "x-injected", "evil", "spaced", "bell", "fine"})
      EXPECT_EQ(head.find(forged), std::string::npos) << method << ": " << forged << "\n" << head;
  }
  // The JSON form carries them safely escaped.
  auto detail = c_.get("/v1/images/detail?is_public=none&name=forged");
  ASSERT_EQ(detail.status, 200u);
  ASSERT_EQ(json_field(detail, "images").size(), 1u) << detail.body;
  auto properties = json_field(detail, "images")[0]["properties"];
  EXPECT_EQ(properties.size(), 6u) << properties;
  EXPECT_EQ(properties["spaced name"], "v");
  EXPECT_EQ(properties["evil\r\nX-Injected: name"], "v");
}

TEST_F(ApiImages, DuplicateIdIsAConflict) {
  std::string id = "0b7a2d8e-1f3c-4c5d-9e6f-7a8b9c0d1e2f";
  ASSERT_EQ(c_.post("/v1/images", "", {{"x-image-meta-id", id}}).status, 201u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-id", id}}).status, 409u);
}

}  // namespace
}  // namespace glance::testing

namespace glance::testing {
namespace {

TEST(ApiDelayedDelete, LeavesTheDataForTheScrubberAndMarksPendingDelete) {
  ApiEnvironment env(false, "delayed_delete = True\n");
  auto c = env.client();
  auto r = c.post("/v1/images", "scrub me", with(kRawBare, {{"x-image-meta-name", "later"}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  std::string id = r.json()["image"]["id"];
  ASSERT_EQ(c.del("/v1/images/" + id).status, 200u);
  EXPECT_EQ(env.stored_files(), 1u);
  auto head = c.head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-status"), std::optional<std::string>("pending_delete"));
  EXPECT_EQ(head.header("x-image-meta-deleted"), std::optional<std::string>("True"));
  EXPECT_EQ(c.del("/v1/images/" + id).status, 403u);
  EXPECT_EQ(c.get("/v1/images/" + id).status, 404u);
  // An image without data has nothing to scrub: it is deleted at once.
  auto draft = c.post("/v1/images", "", {{"x-image-meta-name", "draft"}});
  std::string draft_id = draft.json()["image"]["id"];
  ASSERT_EQ(c.del("/v1/images/" + draft_id).status, 200u);
  EXPECT_EQ(c.head("/v1/images/" + draft_id).header("x-image-meta-status"),
            std::optional<std::string>("deleted"));
}

}  // namespace
}  // namespace glance::testing
