// The Images API v2 on glance-api, over real HTTP in front of a real glance-registry and
// MariaDB: versions, schemas, create, show, list with filters and links, delete, hostile
// bodies and parameters, tenants' visibility, and one image seen through both APIs.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/process_health.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <set>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};

class ApiV2Images : public SharedTenantsApiTest {
 protected:
  static json create(const HttpClient& c, const json& body) {
    auto r = c.post("/v2/images", body.dump(), kJson);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201u ? r.json() : json::object();
  }
  static std::set<std::string> listed_names(const HttpClient& c, const std::string& query = "") {
    auto r = c.get("/v2/images" + query);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::set<std::string> out;
    if (r.status != 200u) return out;
    for (const auto& i : json_field(r, "images")) out.insert(i["name"].get<std::string>());
    return out;
  }
  static void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                            const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
  }
};

TEST_F(ApiV2Images, VersionsListV2AndAliasesReachIt) {
  auto versions = alice_.get("/versions").json()["versions"];
  EXPECT_EQ(versions[0]["id"], "v2.6");
  EXPECT_EQ(versions[0]["status"], "CURRENT");
  EXPECT_EQ(versions[6]["id"], "v2.0");
  EXPECT_EQ(alice_.get("/v2.3/images").status, 200u);
  EXPECT_EQ(alice_.get("/images", {{"Accept", "application/vnd.openstack.images-v2"}}).status,
            200u);
  EXPECT_EQ(alice_.get("/v2.7/images").status, 300u);
  auto wrong = alice_.request("PATCH", "/v2/images");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.header("Allow"), std::optional<std::string>("GET, POST"));
}

TEST_F(ApiV2Images, SchemasAreUpstreams) {
  auto image = alice_.get("/v2/schemas/image");
  ASSERT_EQ(image.status, 200u);
  auto s = image.json();
  EXPECT_EQ(s["name"], "image");
  EXPECT_EQ(s["additionalProperties"], json({{"type", "string"}}));
  EXPECT_EQ(s["properties"]["disk_format"]["enum"][0], nullptr);
  auto disk = s["properties"]["disk_format"]["enum"];
  EXPECT_NE(std::find(disk.begin(), disk.end(), "qcow2"), disk.end());
  EXPECT_EQ(s["properties"]["visibility"]["enum"],
            json({"community", "public", "private", "shared"}));
  EXPECT_TRUE(s["properties"].contains("os_hidden"));
  EXPECT_TRUE(s["properties"]["os_hash_value"]["readOnly"]);
  EXPECT_EQ(s["links"][1], json({{"rel", "enclosure"}, {"href", "{file}"}}));
  auto images = alice_.get("/v2/schemas/images").json();
  EXPECT_EQ(images["name"], "images");
  EXPECT_EQ(images["properties"]["images"]["items"], s);
  EXPECT_EQ(images["links"][1], json({{"rel", "next"}, {"href", "{next}"}}));
  auto member = alice_.get("/v2/schemas/member").json();
  // Served minimal, as upstream: no additionalProperties, no first and next links.
  EXPECT_FALSE(member.contains("additionalProperties"));
  EXPECT_EQ(member["properties"]["status"]["enum"], json({"pending", "accepted", "rejected"}));
  auto members = alice_.get("/v2/schemas/members").json();
  EXPECT_EQ(members["properties"]["members"]["items"], member);
  EXPECT_FALSE(members["properties"].contains("next"));
  EXPECT_EQ(members["links"], json::array({{{"rel", "describedby"}, {"href", "{schema}"}}}));
  EXPECT_EQ(alice_.get("/v2/schemas/task").status, 404u);
}

TEST_F(ApiV2Images, CreateShowListDelete) {
  auto r = alice_.post("/v2/images",
                       json{{"name", "v2-basic"},
                            {"disk_format", "qcow2"},
                            {"container_format", "bare"},
                            {"visibility", "private"},
                            {"tags", {"b", "a", "b"}},
                            {"os_distro", "cirros"},
                            {"min_ram", 64}}
                           .dump(),
                       kJson);
  ASSERT_EQ(r.status, 201u) << r.body;
  auto image = r.json();
  std::string id = image["id"];
  EXPECT_EQ(r.header("Location").value_or("").ends_with("/v2/images/" + id), true);
  EXPECT_EQ(image["status"], "queued");
  EXPECT_EQ(image["visibility"], "private");
  EXPECT_EQ(image["owner"], "tenant-a");
  EXPECT_EQ(image["tags"], json({"a", "b"}));
  EXPECT_EQ(image["os_distro"], "cirros");
  EXPECT_EQ(image["min_ram"], 64);
  EXPECT_EQ(image["min_disk"], 0);
  EXPECT_EQ(image["protected"], false);
  EXPECT_EQ(image["os_hidden"], false);
  EXPECT_TRUE(image["size"].is_null());
  EXPECT_TRUE(image["checksum"].is_null());
  EXPECT_TRUE(image["os_hash_algo"].is_null());
  EXPECT_EQ(image["self"], "/v2/images/" + id);
  EXPECT_EQ(image["file"], "/v2/images/" + id + "/file");
  EXPECT_EQ(image["schema"], "/v2/schemas/image");
  EXPECT_TRUE(image["created_at"].get<std::string>().ends_with("Z"));
  EXPECT_FALSE(image.contains("locations"));
  EXPECT_FALSE(image.contains("is_public"));

  auto shown = alice_.get("/v2/images/" + id);
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.json(), image);
  EXPECT_TRUE(listed_names(alice_).count("v2-basic"));
  // Another tenant neither lists nor sees it, and cannot tell it exists.
  EXPECT_FALSE(listed_names(bob_).count("v2-basic"));
  expect_answer(bob_.get("/v2/images/" + id), 404u, "No image found with ID " + id, "bob show");
  expect_answer(bob_.del("/v2/images/" + id), 404u, "Failed to find image " + id + " to delete",
                "bob delete");

  auto deleted = alice_.del("/v2/images/" + id);
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(alice_.get("/v2/images/" + id).status, 404u);
  EXPECT_EQ(alice_.del("/v2/images/" + id).status, 404u);
  EXPECT_EQ(alice_.get("/v2/images/" + std::string(40, 'a')).status, 404u);
}

TEST_F(ApiV2Images, CreateRefusesWhatUpstreamRefuses) {
  auto& api = env_->api();
  ASSERT_EQ(alice_.get("/v2/images").status, 200u);
  auto baseline = warm_baseline();
  struct Case {
    std::string body;
    unsigned status;
    std::string words;
  };
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  const std::vector<Case> cases = {
      {"", 400, "Body expected in request."},
      {"{\"name\": ", 400, "Malformed JSON in request body."},
      {"\xff\xfe", 400, ""},
      {"[]", 400, "does not match schema 'image'"},
      {"\"text\"", 400, ""},
      {deep, 400, ""},
      {json{{"self", "/x"}}.dump(), 403, "Attribute 'self' is read-only."},
      {json{{"file", "/x"}}.dump(), 403, "Attribute 'file' is read-only."},
      {json{{"schema", "/x"}}.dump(), 403, "Attribute 'schema' is read-only."},
      {json{{"direct_url", "x"}}.dump(), 403, "Attribute 'direct_url' is read-only."},
      {json{{"status", "active"}}.dump(), 403, "Attribute 'status' is read-only."},
      {json{{"checksum", "abc"}}.dump(), 403, "Attribute 'checksum' is read-only."},
      {json{{"size", 5}}.dump(), 403, "Attribute 'size' is read-only."},
      {json{{"os_hash_value", "ab"}}.dump(), 403, "Attribute 'os_hash_value' is read-only."},
      {json{{"created_at", "2020-01-01T00:00:00Z"}}.dump(), 403, "read-only"},
      {json{{"locations", json::array()}}.dump(), 403, "Attribute 'locations' is reserved."},
      {json{{"deleted", "yes"}}.dump(), 403, "Attribute 'deleted' is reserved."},
      {json{{"name", 5}}.dump(), 400, "5 is not of type 'null', 'string'"},
      {json{{"name", std::string(256, 'n')}}.dump(), 400, "is too long"},
      {json{{"protected", "yes"}}.dump(), 400, "is not of type 'boolean'"},
      {json{{"os_hidden", 1}}.dump(), 400, "is not of type 'boolean'"},
      {json{{"min_ram", "512"}}.dump(), 400, "is not of type 'integer'"},
      {json{{"min_disk", -1}}.dump(), 400,
       "Invalid value '-1' for parameter 'min_disk': Cannot be a negative value"},
      {json{{"min_ram", -7}}.dump(), 400,
       "Invalid value '-7' for parameter 'min_ram': Cannot be a negative value"},
      {json{{"tags", "x86"}}.dump(), 400, "is not of type 'array'"},
      {json{{"tags", {1}}}.dump(), 400, "1 is not of type 'string'"},
      {json{{"tags", {std::string(256, 't')}}}.dump(), 400, "is too long"},
      {json{{"visibility", "world"}}.dump(), 400, "'world' is not one of"},
      {json{{"disk_format", "floppy"}}.dump(), 400, "'floppy' is not one of [None,"},
      {json{{"id", "not-a-uuid"}}.dump(), 400, "does not match"},
      {json{{"custom", 7}}.dump(), 400, "7 is not of type 'string'"},
      {json{{std::string(256, 'k'), "v"}}.dump(), 400,
       "Custom property should not be greater than 255 characters."},
      {json{{"visibility", "public"}}.dump(), 403, ""},
      {json{{"owner", "tenant-b"}}.dump(), 403,
       "You are not permitted to create images owned by 'tenant-b'."},
  };
  for (const auto& c : cases)
    expect_answer(alice_.post("/v2/images", c.body, kJson), c.status, c.words,
                  c.body.substr(0, 60));
  // The message takes the place of WebOb's generic explanation, in every format.
  EXPECT_EQ(alice_.post("/v2/images", "", kJson).body,
            "400 Bad Request\n\nBody expected in request.");
  auto html = alice_.post("/v2/images", json{{"self", "<x>"}}.dump(),
                          {{"Content-Type", "application/json"}, {"Accept", "text/html"}});
  EXPECT_NE(html.body.find("<h1>403 Forbidden</h1>\n  Attribute 'self' is read-only.<br />"),
            std::string::npos)
      << html.body;
  auto as_json = alice_.post(
      "/v2/images", "[", {{"Content-Type", "application/json"}, {"Accept", "application/json"}});
  EXPECT_EQ(as_json.json()["message"], "Malformed JSON in request body.<br /><br />\n\n\n")
      << as_json.body;
  // A body over the JSON limit is refused before it is parsed.
  auto huge = alice_.post("/v2/images", json{{"name", std::string(2 << 20, 'x')}}.dump(), kJson);
  EXPECT_EQ(huge.status, 413u);
  // Nothing of those was created.
  EXPECT_EQ(listed_names(alice_, "?owner=tenant-a&name=in:\"\"").size(), 0u);
  // Community images are any member's to create; public ones an admin's.
  EXPECT_EQ(create(alice_, {{"name", "v2-community"}, {"visibility", "community"}})["visibility"],
            "community");
  EXPECT_EQ(create(admin_, {{"name", "v2-public-by-admin"},
                            {"visibility", "public"},
                            {"owner", "tenant-b"}})["owner"],
            "tenant-b");
  // A chosen id is kept, and a second create with it conflicts.
  const std::string id = "0b1e5a4e-8d0c-4b8e-9a55-3f7e9d0c2a11";
  EXPECT_EQ(create(alice_, {{"id", id}, {"name", "v2-chosen-id"}})["id"], id);
  expect_answer(alice_.post("/v2/images", json{{"id", id}}.dump(), kJson), 409u,
                "Image ID " + id + " already exists!", "dup id");
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Images, ListFiltersSortsAndLinks) {
  for (const char* n : {"lst-1", "lst-2", "lst-3", "lst-4", "lst-5"})
    create(bob_, {{"name", n}, {"tags", {"paged"}}, {"visibility", "private"}});
  create(bob_, {{"name", "lst-hidden"}, {"tags", {"paged"}}, {"os_hidden", true}});
  // Pages of two, by name, following `next` as clients do.
  std::vector<std::string> names;
  std::string link = "/v2/images?tag=paged&sort=name:asc&limit=2";
  auto first = bob_.get(link).json();
  EXPECT_EQ(first["first"], "/v2/images?tag=paged&sort=name%3Aasc&limit=2");
  EXPECT_EQ(first["schema"], "/v2/schemas/images");
  for (int pages = 0; pages < 10 && !link.empty(); ++pages) {
    auto page = bob_.get(link);
    ASSERT_EQ(page.status, 200u) << link << ": " << page.body;
    auto doc = page.json();
    for (const auto& i : doc["images"]) names.push_back(i["name"]);
    link = doc.contains("next") ? doc["next"].get<std::string>() : "";
  }
  EXPECT_EQ(names, (std::vector<std::string>{"lst-1", "lst-2", "lst-3", "lst-4", "lst-5"}));
  EXPECT_EQ(listed_names(bob_, "?tag=paged&os_hidden=true"), (std::set<std::string>{"lst-hidden"}));
  EXPECT_EQ(listed_names(bob_, "?tag=paged&name=in:lst-1,lst-3"),
            (std::set<std::string>{"lst-1", "lst-3"}));
  EXPECT_EQ(listed_names(bob_, "?tag=paged&created_at=gt:2999-01-01T00:00:00Z").size(), 0u);
  EXPECT_EQ(listed_names(bob_, "?tag=paged&status=queued&visibility=private").size(), 5u);
  auto sorted = bob_.get("/v2/images?tag=paged&sort_key=name&sort_dir=desc&limit=1").json();
  EXPECT_EQ(sorted["images"][0]["name"], "lst-5");
  // Alice sees none of Bob's private images, whatever she asks.
  EXPECT_EQ(listed_names(alice_, "?tag=paged").size(), 0u);
  EXPECT_EQ(listed_names(alice_, "?tag=paged&visibility=private").size(), 0u);
  EXPECT_EQ(listed_names(alice_, "?tag=paged&member_status=all").size(), 0u);

  auto& api = env_->api();
  auto baseline = warm_baseline();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"limit=-3", "limit param must be positive"},
      {"limit=many", "limit param must be an integer"},
      {"limit=-99999999999999999999", "limit param must be positive"},
      {"limit=99999999999999999999x", "limit param must be an integer"},
      {"sort_key=owner", "Invalid sort key: owner"},
      {"sort=name:up", "Invalid sort direction: up"},
      {"sort=name&sort_dir=asc", "Old and new sorting syntax cannot be combined"},
      {"visibility=everyone", "Invalid visibility value: everyone"},
      {"member_status=maybe", "Invalid status: maybe"},
      {"os_hidden=perhaps", "Invalid value 'perhaps' for 'os_hidden' filter"},
      {"protected=1", "Invalid value '1' for 'protected' filter"},
      {"size_min=big", "non-numeric"},
      {"created_at=soon:2020-01-01T00:00:00Z", "unknown operator"},
      {"updated_at=gt:tomorrow", "Bad \"updated_at\" query filter format"},
      {"name=like:lst", "Unable to filter by unknown operator 'like'"},
      {"changes-since=2020-01-01", "no longer available on v2"},
      {"marker=7a1e5a4e-8d0c-4b8e-9a55-3f7e9d0c2a11", "No image found with ID"},
      {"marker=%00%ff", ""},
  };
  for (const auto& [query, words] : bad)
    expect_answer(bob_.get("/v2/images?" + query), 400u, words, query);
  // A limit past 64 bits asks for as many as there are.
  auto huge = bob_.get("/v2/images?tag=paged&limit=99999999999999999999");
  ASSERT_EQ(huge.status, 200u) << huge.body;
  EXPECT_EQ(huge.json()["images"].size(), 5u);
  EXPECT_FALSE(huge.json().contains("next"));
  // Bob's private image is no marker for Alice.
  auto bobs = bob_.get("/v2/images?tag=paged&limit=1").json()["images"][0]["id"].get<std::string>();
  EXPECT_EQ(alice_.get("/v2/images?marker=" + bobs).status, 400u);
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Images, OneImageTwoViews) {
  // Created and uploaded through v1, read through v2.
  auto v1 = alice_.post("/v1/images", "twelve bytes",
                        {{"x-image-meta-name", "via-v1"},
                         {"x-image-meta-disk_format", "raw"},
                         {"x-image-meta-container_format", "bare"},
                         {"x-image-meta-property-os_distro", "debian"},
                         {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  std::string id = v1.json()["image"]["id"];
  auto seen = alice_.get("/v2/images/" + id);
  ASSERT_EQ(seen.status, 200u) << seen.body;
  auto image = seen.json();
  EXPECT_EQ(image["status"], "active");
  EXPECT_EQ(image["size"], 12);
  EXPECT_EQ(image["checksum"], v1.json()["image"]["checksum"]);
  EXPECT_EQ(image["os_hash_algo"], "sha256");
  EXPECT_EQ(image["os_hash_value"].get<std::string>().size(), 64u);
  EXPECT_EQ(image["os_distro"], "debian");
  EXPECT_EQ(image["visibility"], "shared");  // v1's is_public=False
  EXPECT_EQ(image["tags"], json::array());

  // Created through v2, read through v1.
  auto made = create(admin_, {{"name", "via-v2"}, {"visibility", "public"}, {"arch", "x86_64"}});
  auto head = alice_.head("/v1/images/" + made["id"].get<std::string>());
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-is_public"), std::optional<std::string>("True"));
  EXPECT_EQ(head.header("x-image-meta-property-arch"), std::optional<std::string>("x86_64"));
  EXPECT_EQ(head.header("x-image-meta-status"), std::optional<std::string>("queued"));
  auto priv = create(alice_, {{"name", "via-v2-private"}, {"visibility", "private"}});
  auto head_priv = alice_.head("/v1/images/" + priv["id"].get<std::string>());
  EXPECT_EQ(head_priv.header("x-image-meta-is_public"), std::optional<std::string>("False"));
  EXPECT_EQ(bob_.head("/v1/images/" + priv["id"].get<std::string>()).status, 404u);

  // Deleting through v2 removes the data v1 stored.
  const size_t files = env_->stored_files();
  EXPECT_EQ(alice_.del("/v2/images/" + id).status, 204u);
  EXPECT_EQ(env_->stored_files(), files - 1);
  EXPECT_EQ(alice_.head("/v1/images/" + id).status, 404u);
}

TEST_F(ApiV2Images, DeleteRefusesProtectedAndOthersImages) {
  auto prot = create(alice_, {{"name", "v2-protected"}, {"protected", true}});
  std::string id = prot["id"];
  expect_answer(alice_.del("/v2/images/" + id), 403u,
                "Image " + id + " is protected and cannot be deleted.", "protected");
  auto pub = create(admin_, {{"name", "v2-public"}, {"visibility", "public"}});
  std::string pub_id = pub["id"];
  expect_answer(bob_.del("/v2/images/" + pub_id), 403u,
                "You are not permitted to delete this image.", "foreign");
  EXPECT_EQ(bob_.get("/v2/images/" + pub_id).status, 200u);
  EXPECT_EQ(admin_.del("/v2/images/" + pub_id).status, 204u);
  // Admins see deleted images in the registry, but not through v2.
  EXPECT_EQ(admin_.get("/v2/images/" + pub_id).status, 404u);
  EXPECT_EQ(admin_.del("/v2/images/" + pub_id).status, 404u);
}

TEST_F(ApiV2Images, DownloadStreamsV1DataWithRangesAndMd5) {
  std::string data;
  for (int i = 0; i < 70000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  auto v1 = alice_.post("/v1/images", data,
                        {{"x-image-meta-name", "download-me"},
                         {"x-image-meta-disk_format", "raw"},
                         {"x-image-meta-container_format", "bare"},
                         {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  std::string id = v1.json()["image"]["id"];
  auto whole = alice_.get("/v2/images/" + id + "/file");
  ASSERT_EQ(whole.status, 200u);
  EXPECT_EQ(whole.body, data);
  EXPECT_EQ(whole.header("Content-Type"), std::optional<std::string>("application/octet-stream"));
  EXPECT_EQ(whole.header("Content-MD5"), v1.json()["image"]["checksum"].get<std::string>());
  EXPECT_FALSE(whole.header("x-image-meta-id"));
  auto part = alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=10-19"}});
  EXPECT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, data.substr(10, 10));
  EXPECT_EQ(part.header("Content-Range"), std::optional<std::string>("bytes 10-19/70000"));
  EXPECT_FALSE(whole.header("Accept-Ranges"));
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=-4"}}).body,
            data.substr(69996));
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=69990-99999"}}).body,
            data.substr(69990));
  // Ranges upstream refuses are refused, not served whole.
  auto past = alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=90000-"}});
  expect_answer(past, 416u,
                "Invalid start position in Range header. Start position MUST be in the inclusive "
                "range [0, 69999].",
                "past the end");
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=99999999999999999999999-"}})
                .status,
            416u);
  for (const char* bad : {"bytes=9-5", "lines=0-1", "bytes=a-b", "bytes=-", "bytes", "bytes=1"})
    expect_answer(alice_.get("/v2/images/" + id + "/file", {{"Range", bad}}), 416u,
                  "Invalid Range header.", bad);
  expect_answer(alice_.get("/v2/images/" + id + "/file", {{"Range", "bytes=0-1,5-6"}}), 400u,
                "Requests with multiple ranges are not supported in Glance.", "multiple");
  // Other tenants cannot tell it exists; an image without data answers 204.
  expect_answer(bob_.get("/v2/images/" + id + "/file"), 404u, "No image found with ID", "bob");
  auto empty = create(alice_, {{"name", "no-data"}});
  auto none = alice_.get("/v2/images/" + empty["id"].get<std::string>() + "/file");
  EXPECT_EQ(none.status, 204u);
  EXPECT_TRUE(none.body.empty());
  EXPECT_EQ(alice_.get("/v2/images/" + std::string(37, 'f') + "/file").status, 404u);
}

TEST_F(ApiV2Images, UploadThroughV2ReadThroughBoth) {
  auto image =
      create(alice_, {{"name", "v2-upload"}, {"disk_format", "raw"}, {"container_format", "bare"}});
  std::string id = image["id"];
  std::string data(200000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 % 251);
  const HeaderList octets = {{"Content-Type", "application/octet-stream"}};
  auto put = alice_.put("/v2/images/" + id + "/file", data, octets);
  ASSERT_EQ(put.status, 204u) << put.body;
  EXPECT_TRUE(put.body.empty());
  auto shown = alice_.get("/v2/images/" + id).json();
  EXPECT_EQ(shown["status"], "active");
  EXPECT_EQ(shown["size"], 200000);
  EXPECT_EQ(shown["checksum"], common::md5_hex(data));
  EXPECT_EQ(shown["os_hash_algo"], "sha256");
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file").body, data);
  EXPECT_EQ(alice_.get("/v1/images/" + id).body, data);
  // Once active, there is no second upload.
  expect_answer(alice_.put("/v2/images/" + id + "/file", "x", octets), 409u,
                "Image status transition from active to saving is not allowed", "again");
  EXPECT_EQ(alice_.get("/v2/images/" + id + "/file").body, data);
}

TEST_F(ApiV2Images, UploadRefusesWhatUpstreamRefuses) {
  auto& api = env_->api();
  const HeaderList octets = {{"Content-Type", "application/octet-stream"}};
  auto bare = create(alice_, {{"name", "v2-upload-no-formats"}});
  std::string id = bare["id"];
  auto baseline = warm_baseline();
  expect_answer(alice_.put("/v2/images/" + id + "/file", "x", kJson), 415u,
                "Invalid content type application/json", "json body");
  expect_answer(alice_.put("/v2/images/" + id + "/file", "x", octets), 400u,
                "Properties disk_format, container_format must be set prior to saving data.",
                "no formats");
  auto raw_only = create(alice_, {{"name", "v2-upload-disk-only"}, {"disk_format", "raw"}});
  expect_answer(
      alice_.put("/v2/images/" + raw_only["id"].get<std::string>() + "/file", "x", octets), 400u,
      "Property container_format must be set prior to saving data.", "no container format");
  auto ready = create(alice_, {{"name", "v2-upload-target"},
                               {"disk_format", "raw"},
                               {"container_format", "bare"},
                               {"visibility", "community"}});
  std::string ready_id = ready["id"];
  // Bob sees a community image but may not fill it; he cannot even see a private one.
  expect_answer(bob_.put("/v2/images/" + ready_id + "/file", "x", octets), 403u,
                "You are not permitted to upload data for this image.", "bob");
  expect_answer(bob_.put("/v2/images/" + id + "/file", "x", octets), 404u, "No image found with ID",
                "bob private");
  EXPECT_EQ(alice_.get("/v2/images/" + ready_id).json()["status"], "queued");
  // A client gone mid-body leaves the image killed and no data behind.
  const size_t files = env_->stored_files();
  std::string head = "PUT /v2/images/" + ready_id + "/file HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [name, value] : identity("tenant-a", "member", "alice"))
    head += name + ": " + value + "\r\n";
  head += "Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n";
  env_->client().raw_then_close(head + std::string(5000, 'p'));
  EXPECT_TRUE(eventually([&] {
    return alice_.get("/v2/images/" + ready_id).json()["status"] == "killed";
  })) << alice_.get("/v2/images/" + ready_id).body;
  EXPECT_EQ(env_->stored_files(), files);
  expect_recovered(api, baseline);
}

TEST(ApiV2Disabled, EnableV2ApiFalseLeavesOnlyV1) {
  ApiEnvironment env(false, "enable_v2_api = false\n");
  auto c = env.client();
  EXPECT_EQ(c.get("/v2/images").status, 300u);
  EXPECT_EQ(c.get("/v2/schemas/image").status, 300u);
  auto versions = c.get("/versions").json()["versions"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]["id"], "v1.1");
  EXPECT_EQ(c.get("/v1/images").status, 200u);
}

}  // namespace
}  // namespace glance::testing
