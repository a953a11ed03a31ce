// Reading images as Nova and resuming clients do, through glance-api and glance-registry:
// HEAD then GET with the checksum verified, detail listing with is_public=none, property
// filters and marker paging; byte ranges; SHA-256 beside MD5; ETag and If-None-Match.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace glance::testing {
namespace {

class ApiDownload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  // Creates an active image holding `data`; returns the create answer.
  HttpResponse create(const std::string& name, const std::string& data,
                      HeaderList extra = {}) const {
    extra.insert(extra.end(), {{"x-image-meta-name", name},
                               {"x-image-meta-disk_format", "raw"},
                               {"x-image-meta-container_format", "bare"},
                               {"Content-Type", "application/octet-stream"}});
    auto r = client_.post("/v1/images", data, extra);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r;
  }
  std::string create_id(const std::string& name, const std::string& data,
                        HeaderList extra = {}) const {
    return create(name, data, std::move(extra)).json()["image"]["id"];
  }

  static ApiEnvironment* env_;
  HttpClient client_ = env_->client();
};
ApiEnvironment* ApiDownload::env_ = nullptr;

TEST_F(ApiDownload, NovaReadsMetadataThenBytesAndPagesThroughDetail) {
  std::set<std::string> snapshots;
  for (int i = 0; i < 7; ++i) {
    HeaderList props = {{"x-image-meta-property-image_type", i % 3 ? "snapshot" : "base"},
                        {"x-image-meta-property-instance_uuid", "inst-" + std::to_string(i)}};
    auto id = create_id("nova-" + std::to_string(i), random_bytes(1000 + i, i), props);
    if (i % 3) snapshots.insert(id);
  }
  const std::string id = *snapshots.begin();

  auto head = client_.head("/v1/images/" + id);
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-status"), std::optional<std::string>("active"));
  EXPECT_EQ(head.header("x-image-meta-property-image_type"),
            std::optional<std::string>("snapshot"));
  auto checksum = head.header("x-image-meta-checksum");
  ASSERT_TRUE(checksum);
  auto got = client_.get("/v1/images/" + id);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.header("Content-Length"), head.header("x-image-meta-size"));
  EXPECT_EQ(common::md5_hex(got.body), *checksum);

  // Nova's snapshot listing: every tenant's images, one property, small pages by marker.
  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (;; ++pages) {
    std::string query = "/v1/images/detail?is_public=none&property-image_type=snapshot&limit=2";
    if (!marker.empty()) query += "&marker=" + marker;
    auto page = client_.get(query);
    ASSERT_EQ(page.status, 200u) << page.body;
    auto images = json_field(page, "images");
    if (images.empty()) break;
    ASSERT_LE(images.size(), 2u);
    for (const auto& img : images) {
      EXPECT_EQ(img["properties"]["image_type"], "snapshot");
      EXPECT_TRUE(seen.insert(img["id"].get<std::string>()).second) << "listed twice";
    }
    marker = images.back()["id"];
  }
  EXPECT_EQ(seen, snapshots);
  EXPECT_EQ(pages, 2);  // two full pages, then an empty one
}

TEST_F(ApiDownload, RangesServeThePartAskedForOrTheWholeImage) {
  const std::string data = random_bytes(1000, 42);
  auto id = create_id("ranged", data);
  auto range = [&](const std::string& value) {
    return client_.get("/v1/images/" + id, {{"Range", value}});
  };
  struct Case {
    const char* header;
    size_t first, length;
  };
  for (auto c : {Case{"bytes=0-0", 0, 1}, Case{"bytes=999-999", 999, 1},
                 Case{"bytes=100-299", 100, 200}, Case{"bytes=990-5000", 990, 10},
                 Case{"bytes=900-", 900, 100}, Case{"bytes=-10", 990, 10}}) {
    auto r = range(c.header);
    EXPECT_EQ(r.status, 206u) << c.header;
    EXPECT_EQ(r.body, data.substr(c.first, c.length)) << c.header;
    EXPECT_EQ(r.header("Content-Range"),
              std::optional<std::string>("bytes " + std::to_string(c.first) + "-" +
                                         std::to_string(c.first + c.length - 1) + "/1000"))
        << c.header;
    EXPECT_EQ(r.header("Content-Length"), std::optional<std::string>(std::to_string(c.length)));
    // The metadata still describes the whole image.
    EXPECT_EQ(r.header("x-image-meta-size"), std::optional<std::string>("1000"));
  }
  for (const char* past : {"bytes=1000-", "bytes=5000-6000", "bytes=-0"}) {
    auto r = range(past);
    EXPECT_EQ(r.status, 416u) << past;
    EXPECT_EQ(r.header("Content-Range"), std::optional<std::string>("bytes */1000")) << past;
  }
  for (const char* ignored : {"bytes=0-1,5-6", "bytes=x-y", "pages=1-2"}) {
    auto r = range(ignored);
    EXPECT_EQ(r.status, 200u) << ignored;
    EXPECT_EQ(r.body, data) << ignored;
    EXPECT_EQ(r.header("Accept-Ranges"), std::optional<std::string>("bytes"));
  }
}

TEST_F(ApiDownload, Sha256IsComputedOnUploadAndOnlyByTheService) {
  const std::string data = random_bytes(3 * 1024 * 1024 + 5, 7);
  std::string path = make_temp_dir("glance-sha") + "/image.bin";
  std::ofstream(path, std::ios::binary) << data;
  const std::string expected = run_command("sha256sum " + path).substr(0, 64);

  auto created = create("digested", data);
  auto image = created.json()["image"];
  EXPECT_EQ(image["os_hash_algo"], "sha256");
  EXPECT_EQ(image["os_hash_value"], expected);
  std::string id = image["id"];
  auto head = client_.head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-os_hash_algo"), std::optional<std::string>("sha256"));
  EXPECT_EQ(head.header("x-image-meta-os_hash_value"), std::optional<std::string>(expected));
  EXPECT_EQ(client_.get("/v1/images/" + id).header("x-image-meta-os_hash_value"),
            std::optional<std::string>(expected));
  bool listed = false;
  for (const auto& img : json_field(client_.get("/v1/images/detail?is_public=none"), "images"))
    if (img["id"] == id) listed = img["os_hash_value"] == expected;
  EXPECT_TRUE(listed);

  const auto before = json_field(client_.get("/v1/images/detail?is_public=none"), "images").size();
  auto forged = client_.post("/v1/images", "",
                             {{"x-image-meta-name", "forged"},
                              {"x-image-meta-os_hash_algo", "md5"},
                              {"x-image-meta-os_hash_value", "00"}});
  EXPECT_EQ(forged.status, 400u) << forged.body;
  EXPECT_EQ(json_field(client_.get("/v1/images/detail?is_public=none"), "images").size(), before);
  for (const char* field : {"x-image-meta-os_hash_algo", "x-image-meta-os-hash-value"}) {
    auto r = client_.put("/v1/images/" + id, "", {{field, "forged"}, {"x-image-meta-name", "x"}});
    EXPECT_EQ(r.status, 400u) << field << r.body;
  }
  head = client_.head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-name"), std::optional<std::string>("digested"));
  EXPECT_EQ(head.header("x-image-meta-os_hash_algo"), std::optional<std::string>("sha256"));
  EXPECT_EQ(head.header("x-image-meta-os_hash_value"), std::optional<std::string>(expected));
}

TEST_F(ApiDownload, ETagIsTheMd5AndIfNoneMatchAnswers304) {
  const std::string data = random_bytes(5000, 9);
  auto id = create_id("tagged", data);
  const std::string md5 = common::md5_hex(data);
  auto plain = client_.get("/v1/images/" + id);
  EXPECT_EQ(plain.header("ETag"), std::optional<std::string>(md5));
  EXPECT_EQ(client_.head("/v1/images/" + id).header("ETag"), std::optional<std::string>(md5));

  for (const std::string& tag : {md5, "\"" + md5 + "\"", std::string("*"), "\"x\", " + md5}) {
    auto r = client_.get("/v1/images/" + id, {{"If-None-Match", tag}});
    EXPECT_EQ(r.status, 304u) << tag;
    EXPECT_EQ(r.body, "") << tag;
    EXPECT_EQ(r.header("ETag"), std::optional<std::string>(md5)) << tag;
    EXPECT_EQ(client_.head("/v1/images/" + id, {{"If-None-Match", tag}}).status, 304u) << tag;
  }
  auto changed = client_.get("/v1/images/" + id, {{"If-None-Match", "\"0123abcd\""}});
  EXPECT_EQ(changed.status, 200u);
  EXPECT_EQ(changed.body, data);
}

}  // namespace
}  // namespace glance::testing
