// PATCH /v2/images/{id} on glance-api, over real HTTP in front of a real glance-registry and
// MariaDB: both media types, every kind of attribute, tags, visibility, v1 reading what a
// patch wrote; hostile bodies, other tenants, quotas and property protections, with nothing
// changed by a refused patch and the daemon back to its baseline after the hostile ones.

#include "tests/support/api_fixture.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
const HeaderList kPatch21 = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
const HeaderList kPatch20 = {{"Content-Type", "application/openstack-images-v2.0-json-patch"}};

json create(const HttpClient& c, const json& body) {
  auto r = c.post("/v2/images", body.dump(), kJson);
  EXPECT_EQ(r.status, 201u) << r.body;
  return r.status == 201u ? r.json() : json::object();
}

HttpResponse patch(const HttpClient& c, const std::string& id, const std::string& body,
                   const HeaderList& type = kPatch21) {
  return c.request("PATCH", "/v2/images/" + id, type, body);
}

void expect_answer(const HttpResponse& r, unsigned status, const std::string& words,
                   const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_NE(r.body.find(words), std::string::npos) << what << ": " << r.body;
}

// What a refused patch must leave alone: the image as shown, updated_at included.
json shown(const HttpClient& c, const std::string& id) {
  auto r = c.get("/v2/images/" + id);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.status == 200u ? r.json() : json::object();
}

class ApiV2Patch : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    start_shared_api("image_tag_quota = 4\nimage_property_quota = 5\n");
  }
};

TEST_F(ApiV2Patch, ChangesEveryKindOfAttribute) {
  auto image = create(alice_, {{"name", "p-basic"},
                               {"visibility", "private"},
                               {"tags", {"a"}},
                               {"os_distro", "cirros"},
                               {"gone", "soon"}});
  const std::string id = image["id"];
  auto r = patch(alice_, id,
                 json::array({
                                 {{"op", "replace"}, {"path", "/name"}, {"value", "p-renamed"}},
                                 {{"op", "replace"}, {"path", "/visibility"}, {"value", "shared"}},
                                 {{"op", "replace"}, {"path", "/protected"}, {"value", true}},
                                 {{"op", "add"}, {"path", "/os_hidden"}, {"value", true}},
                                 {{"op", "replace"}, {"path", "/disk_format"}, {"value", "qcow2"}},
                                 {{"op", "add"}, {"path", "/container_format"}, {"value", "bare"}},
                                 {{"op", "replace"}, {"path", "/min_ram"}, {"value", 512}},
                                 {{"op", "replace"}, {"path", "/min_disk"}, {"value", 3}},
                                 {{"op", "replace"}, {"path", "/tags"}, {"value", {"z", "b", "z"}}},
                                 {{"op", "replace"}, {"path", "/os_distro"}, {"value", "debian"}},
                                 {{"op", "add"}, {"path", "/arch"}, {"value", "x86_64"}},
                                 {{"op", "add"}, {"path", "/a~0b"}, {"value", "tilde"}},

                                 {{"op", "remove"}, {"path", "/gone"}},
                             })
                     .dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type"), std::optional<std::string>("application/json"));
  auto out = r.json();
  EXPECT_EQ(out["id"], id);
  EXPECT_EQ(out["name"], "p-renamed");
  EXPECT_EQ(out["visibility"], "shared");
  EXPECT_EQ(out["protected"], true);
  EXPECT_EQ(out["os_hidden"], true);
  EXPECT_EQ(out["disk_format"], "qcow2");
  EXPECT_EQ(out["container_format"], "bare");
  EXPECT_EQ(out["min_ram"], 512);
  EXPECT_EQ(out["min_disk"], 3);
  EXPECT_EQ(out["tags"], json({"b", "z"}));
  EXPECT_EQ(out["os_distro"], "debian");
  EXPECT_EQ(out["arch"], "x86_64");
  EXPECT_EQ(out["a~b"], "tilde");
  EXPECT_FALSE(out.contains("gone"));
  EXPECT_EQ(out["status"], "queued");
  EXPECT_EQ(out["self"], "/v2/images/" + id);
  EXPECT_EQ(shown(alice_, id), out);

  // "~1" decodes to "/", which no property name here may hold (v1 sends names as headers).
  expect_answer(patch(alice_, id, R"([{"op":"add","path":"/c~1d","value":"slash"}])"), 400u,
                "Invalid property name", "slash in a name");

  // v1 reads what the patch wrote.
  auto head = alice_.head("/v1/images/" + id);
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-name"), std::optional<std::string>("p-renamed"));
  EXPECT_EQ(head.header("x-image-meta-property-os_distro"), std::optional<std::string>("debian"));
  EXPECT_EQ(head.header("x-image-meta-property-arch"), std::optional<std::string>("x86_64"));
  EXPECT_EQ(head.header("x-image-meta-property-a~b"), std::optional<std::string>("tilde"));
  EXPECT_FALSE(head.header("x-image-meta-property-gone"));
  EXPECT_EQ(head.header("x-image-meta-min_ram"), std::optional<std::string>("512"));
  EXPECT_EQ(head.header("x-image-meta-protected"), std::optional<std::string>("True"));

  // A protected image still takes metadata changes, and unprotected it can be deleted.
  auto unprotect = patch(alice_, id, R"([{"op":"replace","path":"/protected","value":false}])");
  ASSERT_EQ(unprotect.status, 200u) << unprotect.body;
  EXPECT_EQ(alice_.del("/v2/images/" + id).status, 204u);
  expect_answer(patch(alice_, id, R"([{"op":"replace","path":"/name","value":"x"}])"), 404u,
                "No image found with ID " + id, "deleted");
}

TEST_F(ApiV2Patch, OldMediaTypeAndEmptyPatch) {
  const std::string id = create(alice_, {{"name", "p-v20"}, {"k", "v"}})["id"];
  auto r = patch(alice_, id,
                 R"([{"replace":"/name","value":"p-v20b"},{"add":"/k2","value":"v2"},
                     {"remove":"/k"}])",
                 kPatch20);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["name"], "p-v20b");
  EXPECT_EQ(r.json()["k2"], "v2");
  EXPECT_FALSE(r.json().contains("k"));
  expect_answer(patch(alice_, id, R"([{"add":"/k2","value":"x"}])", kPatch20), 409u,
                "Property k2 already present.", "v2.0 add of a present property");
  // v2.1's add of a present property replaces it.
  auto again = patch(alice_, id, R"([{"op":"add","path":"/k2","value":"x"}])");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.json()["k2"], "x");
  // A charset parameter does not change the media type.
  auto charset = patch(alice_, id, R"([{"op":"add","path":"/k3","value":"y"}])",
                       {{"Content-Type",
                         "application/openstack-images-v2.1-json-patch; "
                         "charset=UTF-8"}});
  EXPECT_EQ(charset.status, 200u) << charset.body;
  // An empty patch changes nothing and answers the image.
  auto before = shown(alice_, id);
  auto empty = patch(alice_, id, "[]");
  ASSERT_EQ(empty.status, 200u) << empty.body;
  EXPECT_EQ(empty.json(), before);
}

TEST_F(ApiV2Patch, VisibilityFollowsPolicy) {
  const std::string id = create(alice_, {{"name", "p-vis"}, {"visibility", "private"}})["id"];
  auto community =
      patch(alice_, id, R"([{"op":"replace","path":"/visibility","value":"community"}])");
  ASSERT_EQ(community.status, 200u) << community.body;
  EXPECT_EQ(community.json()["visibility"], "community");
  // publicize_image is the admin's.
  EXPECT_EQ(patch(alice_, id, R"([{"op":"replace","path":"/visibility","value":"public"}])").status,
            403u);
  EXPECT_EQ(shown(alice_, id)["visibility"], "community");
  auto pub = patch(admin_, id, R"([{"op":"replace","path":"/visibility","value":"public"}])");
  ASSERT_EQ(pub.status, 200u) << pub.body;
  EXPECT_EQ(pub.json()["visibility"], "public");
  EXPECT_EQ(pub.json()["owner"], "tenant-a");
  // v1 sees a public image.
  EXPECT_EQ(bob_.head("/v1/images/" + id).header("x-image-meta-is_public"),
            std::optional<std::string>("True"));
  // The owner is the admin's to change, and a member's replace is refused.
  expect_answer(patch(alice_, id, R"([{"op":"replace","path":"/owner","value":"tenant-b"}])"), 403u,
                "Owner can't be updated by non admin.", "owner by member");
  auto given = patch(admin_, id, R"([{"op":"replace","path":"/owner","value":"tenant-b"}])");
  ASSERT_EQ(given.status, 200u) << given.body;
  EXPECT_EQ(given.json()["owner"], "tenant-b");
}

// Only a replace of the owner is refused to a non-admin: upstream saves an added owner, and
// undoes the save (404) when the caller would no longer see the image.
TEST_F(ApiV2Patch, AnAddedOwnerIsSavedWhileTheCallerStillSeesTheImage) {
  const auto add_owner = [](const std::string& owner) {
    return json::array({{{"op", "add"}, {"path", "/owner"}, {"value", owner}}}).dump();
  };
  const std::string community =
      create(alice_, {{"name", "p-owner-community"}, {"visibility", "community"}})["id"];
  auto given = patch(alice_, community, add_owner("tenant-b"));
  ASSERT_EQ(given.status, 200u) << given.body;
  EXPECT_EQ(given.json()["owner"], "tenant-b");
  EXPECT_EQ(shown(admin_, community)["owner"], "tenant-b");
  // It is tenant-b's now: alice may no longer change it, bob may.
  expect_answer(patch(alice_, community, add_owner("tenant-a")), 403u,
                "You are not permitted to modify 'owner' on this image.", "former owner");
  EXPECT_EQ(patch(bob_, community, add_owner("tenant-b")).status, 200u);

  // A private image given away would vanish from its giver: nothing changes.
  const std::string priv =
      create(alice_, {{"name", "p-owner-private"}, {"visibility", "private"}})["id"];
  const auto before = shown(alice_, priv);
  expect_answer(patch(alice_, priv, add_owner("tenant-b")), 404u, "No image found with ID " + priv,
                "private image given away");
  EXPECT_EQ(shown(alice_, priv), before);
  EXPECT_EQ(bob_.get("/v2/images/" + priv).status, 404u);
  // The same owner again is no change; the old media type's add of a present attribute is 409.
  EXPECT_EQ(patch(alice_, priv, add_owner("tenant-a")).status, 200u);
  expect_answer(patch(alice_, priv, R"([{"add":"/owner","value":"tenant-b"}])", kPatch20), 409u,
                "Property owner already present.", "v2.0 add");
  EXPECT_EQ(shown(admin_, priv)["owner"], "tenant-a");
  // v1 PUT by a non-admin still leaves the owner alone.
  auto v1 = alice_.put("/v1/images/" + priv, "", {{"x-image-meta-owner", "tenant-b"}});
  ASSERT_EQ(v1.status, 200u) << v1.body;
  EXPECT_EQ(shown(admin_, priv)["owner"], "tenant-a");
}

TEST_F(ApiV2Patch, OtherTenantsImages) {
  const std::string priv = create(alice_, {{"name", "p-private"}, {"visibility", "private"}})["id"];
  expect_answer(patch(bob_, priv, R"([{"op":"replace","path":"/name","value":"mine"}])"), 404u,
                "No image found with ID " + priv, "invisible image");
  const std::string pub =
      create(admin_, {{"name", "p-public"}, {"visibility", "public"}, {"k", "v"}})["id"];
  const auto before = shown(bob_, pub);
  expect_answer(patch(bob_, pub, R"([{"op":"replace","path":"/name","value":"mine"}])"), 403u,
                "You are not permitted to modify 'name' on this image.", "public image");
  expect_answer(patch(bob_, pub, R"([{"op":"remove","path":"/k"}])"), 403u,
                "You are not permitted to modify 'k' on this image.", "public image property");
  expect_answer(patch(bob_, pub, R"([{"op":"add","path":"/tags","value":["t"]}])"), 403u,
                "You are not permitted to modify 'tags' on this image.", "public image tags");
  EXPECT_EQ(shown(bob_, pub), before);
  // A shared image: the member sees it but cannot change it.
  const std::string shared = create(alice_, {{"name", "p-shared"}, {"visibility", "shared"}})["id"];
  auto member = alice_.put("/v1/images/" + shared + "/members/tenant-b", "");
  ASSERT_EQ(member.status, 204u) << member.body;
  expect_answer(patch(bob_, shared, R"([{"op":"replace","path":"/name","value":"mine"}])"), 403u,
                "You are not permitted to modify 'name' on this image.", "shared image");
  EXPECT_EQ(shown(alice_, shared)["name"], "p-shared");
  // An admin changes any image.
  auto by_admin = patch(admin_, priv, R"([{"op":"replace","path":"/name","value":"by-admin"}])");
  ASSERT_EQ(by_admin.status, 200u) << by_admin.body;
  EXPECT_EQ(by_admin.json()["name"], "by-admin");
}

TEST_F(ApiV2Patch, RefusesWhatUpstreamRefusesAndChangesNothing) {
  auto& api = env_->api();
  const std::string id =
      create(alice_, {{"name", "p-hostile"}, {"tags", {"t1"}}, {"k1", "v1"}, {"k2", "v2"}})["id"];
  const auto before = shown(alice_, id);
  auto baseline = warm_baseline();

  // Media types: 415 with Accept-Patch, whatever the body.
  for (const std::string type : {"application/json", "application/json-patch+json", "text/plain",
                                 "application/openstack-images-v2.2-json-patch"}) {
    auto r = patch(alice_, id, R"([{"op":"replace","path":"/name","value":"x"}])",
                   {{"Content-Type", type}});
    expect_answer(r, 415u, "The request media type " + type + " is not supported", type);
    EXPECT_EQ(r.header("Accept-Patch"),
              std::optional<std::string>("application/openstack-images-v2.0-json-patch, "
                                         "application/openstack-images-v2.1-json-patch"));
  }
  EXPECT_EQ(alice_.request("PATCH", "/v2/images/" + id, {}, "[]").status, 415u);

  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  struct Case {
    std::string body;
    unsigned status;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"", 400, "Malformed JSON in request body."},
      {"[{\"op\": ", 400, "Malformed JSON in request body."},
      {"\xff\xfe", 400, ""},
      {"{}", 400, "Request body must be a JSON array of operation objects."},
      {R"({"op":"replace","path":"/name","value":"x"})", 400, "must be a JSON array"},
      {"\"text\"", 400, ""},
      {"[1]", 400, "Operations must be JSON objects."},
      {deep, 400, ""},
      {R"([{"op":"move","from":"/name","path":"/x"}])", 400, "Invalid operation: `move`."},
      {R"([{"op":"copy","from":"/name","path":"/x"}])", 400, "Invalid operation: `copy`."},
      {R"([{"op":"test","path":"/name","value":"x"}])", 400, "Invalid operation: `test`."},
      {R"([{"path":"/name","value":"x"}])", 400, "Unable to find `op` in JSON Schema change."},
      {R"([{"op":"add","value":"x"}])", 400, "Unable to find 'path' in JSON Schema change"},
      {R"([{"op":"add","path":"name","value":"x"}])", 400, "does not start with \"/\"."},
      {R"([{"op":"add","path":"/a~2","value":"x"}])", 400, "recognized escape sequence"},
      {R"([{"op":"add","path":"/a/b","value":"x"}])", 400,
       "Invalid JSON pointer for this resource"},
      {R"([{"op":"add","path":"/x"}])", 400,
       "Operation \"add\" requires a member named \"value\"."},
      {R"([{"op":"replace","path":"/id","value":"x"}])", 403, "Attribute 'id' is read-only."},
      {R"([{"op":"replace","path":"/status","value":"active"}])", 403,
       "Attribute 'status' is read-only."},
      {R"([{"op":"replace","path":"/checksum","value":"a"}])", 403, "read-only"},
      {R"([{"op":"replace","path":"/size","value":5}])", 403, "Attribute 'size' is read-only."},
      {R"([{"op":"replace","path":"/virtual_size","value":5}])", 403, "read-only"},
      {R"([{"op":"replace","path":"/created_at","value":"x"}])", 403, "read-only"},
      {R"([{"op":"replace","path":"/updated_at","value":"x"}])", 403, "read-only"},
      {R"([{"op":"add","path":"/self","value":"x"}])", 403, "Attribute 'self' is read-only."},
      {R"([{"op":"add","path":"/file","value":"x"}])", 403, "Attribute 'file' is read-only."},
      {R"([{"op":"add","path":"/schema","value":"x"}])", 403, "Attribute 'schema' is read-only."},
      {R"([{"op":"add","path":"/direct_url","value":"x"}])", 403, "read-only"},
      {R"([{"op":"add","path":"/os_hash_value","value":"x"}])", 403, "read-only"},
      {R"([{"op":"remove","path":"/os_hash_algo"}])", 403, "read-only"},
      {R"([{"op":"add","path":"/deleted","value":"x"}])", 403, "Attribute 'deleted' is reserved."},
      {R"([{"op":"add","path":"/location","value":"x"}])", 403, "is reserved."},
      {R"([{"op":"replace","path":"/name","value":5}])", 400, "5 is not of type 'null', 'string'"},
      {R"([{"op":"replace","path":"/min_ram","value":"1"}])", 400, "is not of type 'integer'"},
      {R"([{"op":"replace","path":"/min_disk","value":-1}])", 400,
       "Invalid value '-1' for parameter 'min_disk': Cannot be a negative value"},
      {R"([{"op":"replace","path":"/protected","value":"yes"}])", 400, "is not of type 'boolean'"},
      {R"([{"op":"replace","path":"/visibility","value":"world"}])", 400, "'world' is not one of"},
      {R"([{"op":"replace","path":"/disk_format","value":"floppy"}])", 400, "is not one of"},
      {R"([{"op":"replace","path":"/tags","value":"t"}])", 400, "is not of type 'array'"},
      {R"([{"op":"add","path":"/k9","value":7}])", 400, "7 is not of type 'string'"},
      {R"([{"op":"add","path":"/k9","value":null}])", 400, "None is not of type 'string'"},
      {R"([{"op":"remove","path":"/name"}])", 403, "Property name may not be removed."},
      {R"([{"op":"remove","path":"/nope"}])", 409, "Property nope does not exist."},
      {R"([{"op":"replace","path":"/nope","value":"x"}])", 409, "Property nope does not exist."},
      {R"([{"op":"replace","path":"/locations","value":[]}])", 403,
       "Cannot set locations to empty list."},
      {R"([{"op":"add","path":"/locations/-","value":{"url":"file:///etc/passwd","metadata":{}}}])",
       403, "It's not allowed to add locations if locations are invisible."},
      {R"([{"op":"remove","path":"/locations/0"}])", 403, "It's not allowed to remove locations"},
      // Quotas (4 tags, 5 properties here): 413.
      {R"([{"op":"replace","path":"/tags","value":["a","b","c","d","e"]}])", 413,
       "The limit has been exceeded on the number of allowed image tags. Attempted: 5, "
       "Maximum: 4"},
      {R"([{"op":"add","path":"/k3","value":"x"},{"op":"add","path":"/k4","value":"x"},
          {"op":"add","path":"/k5","value":"x"},{"op":"add","path":"/k6","value":"x"}])",
       413, "The limit has been exceeded on the number of allowed image properties. Attempted: 6"},
      // All or nothing: good changes before a bad one are not kept.
      {R"([{"op":"replace","path":"/name","value":"changed"},{"op":"remove","path":"/k1"},
          {"op":"remove","path":"/nope"}])",
       409, "Property nope does not exist."},
      {R"([{"op":"replace","path":"/name","value":"changed"},{"op":"add","path":"/x","value":"1"},
          {"op":"replace","path":"/status","value":"active"}])",
       403, "read-only"},
      {R"([{"op":"replace","path":"/name","value":"changed"},{"op":"add","path":"/)" +
           std::string(300, 'k') + R"(","value":"1"}])",
       400, ""},
  };
  for (const auto& c : cases)
    expect_answer(patch(alice_, id, c.body), c.status, c.words, c.body.substr(0, 70));

  // Without an identity nothing is patched.
  EXPECT_EQ(patch(env_->client(), id, R"([{"op":"replace","path":"/name","value":"anon"}])").status,
            401u);
  // Creating shares the tag quota.
  expect_answer(alice_.post("/v2/images", json{{"tags", {"a", "b", "c", "d", "e"}}}.dump(), kJson),
                413u, "allowed image tags. Attempted: 5, Maximum: 4", "create over tag quota");
  // A body over the JSON limit is refused before it is parsed.
  std::string huge = R"([{"op":"add","path":"/big","value":")" + std::string(2 << 20, 'x') + "\"}]";
  EXPECT_EQ(patch(alice_, id, huge).status, 413u);
  // Nothing of those changed the image.
  EXPECT_EQ(shown(alice_, id), before);

  // Ten thousand operations are applied in order, in one write.
  std::string many = "[";
  for (int i = 0; i < 10000; ++i)
    many += (i ? "," : "") + std::string(R"({"op":"add","path":"/k1","value":")") +
            std::to_string(i) + "\"}";
  many += "]";
  auto r = patch(alice_, id, many);
  ASSERT_EQ(r.status, 200u) << r.body.substr(0, 300);
  EXPECT_EQ(r.json()["k1"], "9999");
  EXPECT_EQ(r.json()["k2"], "v2");
  expect_recovered(api, baseline);
}

TEST_F(ApiV2Patch, FormatsChangeOnlyWhileQueued) {
  auto v1 = alice_.post("/v1/images", "data",
                        {{"x-image-meta-name", "p-active"},
                         {"x-image-meta-disk_format", "raw"},
                         {"x-image-meta-container_format", "bare"},
                         {"x-image-meta-property-from_v1", "yes"},
                         {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(v1.status, 201u) << v1.body;
  const std::string id = v1.json()["image"]["id"];
  expect_answer(patch(alice_, id, R"([{"op":"replace","path":"/disk_format","value":"qcow2"}])"),
                403u, "Attribute disk_format can be only replaced for a queued image.", "active");
  auto r = patch(alice_, id, R"([{"op":"replace","path":"/from_v1","value":"patched"},
                                 {"op":"add","path":"/tags","value":["t"]}])");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["status"], "active");
  EXPECT_EQ(r.json()["from_v1"], "patched");
  EXPECT_EQ(r.json()["tags"], json({"t"}));
  EXPECT_EQ(r.json()["checksum"], v1.json()["image"]["checksum"]);
  EXPECT_EQ(alice_.get("/v1/images/" + id).body, "data");
  EXPECT_EQ(alice_.head("/v1/images/" + id).header("x-image-meta-property-from_v1"),
            std::optional<std::string>("patched"));
}

// Property protections (roles format) over v2's create, read, patch and delete.
class ApiV2PatchProtections : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir("glance-api-v2-props"));
    std::ofstream(*dir_ + "/protections.conf")
        << "[^x_admin_.*]\ncreate = admin\nread = admin\nupdate = admin\ndelete = admin\n\n"
           "[^x_ro_.*]\ncreate = admin\nread = admin,member\nupdate = admin\ndelete = admin\n\n"
           "[.*]\ncreate = @\nread = @\nupdate = @\ndelete = @\n";
    start_shared_api("property_protection_file = " + *dir_ + "/protections.conf\n");
  }
  static void TearDownTestSuite() {
    SharedTenantsApiTest::TearDownTestSuite();
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string* dir_;
};
std::string* ApiV2PatchProtections::dir_ = nullptr;

TEST_F(ApiV2PatchProtections, ApplyPerOperation) {
  expect_answer(alice_.post("/v2/images", json{{"x_admin_k", "v"}}.dump(), kJson), 403u,
                "Attribute 'x_admin_k' is reserved.", "create");
  const std::string id = create(admin_, {{"name", "p-prot"},
                                         {"owner", "tenant-a"},
                                         {"x_admin_secret", "s"},
                                         {"x_ro_k", "r"},
                                         {"free", "f"}})["id"];
  auto seen = shown(alice_, id);
  EXPECT_FALSE(seen.contains("x_admin_secret"));
  EXPECT_EQ(seen["x_ro_k"], "r");
  auto listed = alice_.get("/v2/images");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const auto images = listed.json()["images"];
  for (const auto& i : images) EXPECT_FALSE(i.contains("x_admin_secret")) << i.dump();
  EXPECT_EQ(images.size(), 1u);

  expect_answer(patch(alice_, id, R"([{"op":"add","path":"/x_admin_new","value":"1"}])"), 403u,
                "Attribute 'x_admin_new' is reserved.", "create protected");
  expect_answer(patch(alice_, id, R"([{"op":"replace","path":"/x_ro_k","value":"1"}])"), 403u,
                "Attribute 'x_ro_k' is reserved.", "update read-only");
  expect_answer(patch(alice_, id, R"([{"op":"remove","path":"/x_ro_k"}])"), 403u,
                "Attribute 'x_ro_k' is reserved.", "delete read-only");
  expect_answer(patch(alice_, id, R"([{"op":"remove","path":"/x_admin_secret"}])"), 409u,
                "Property x_admin_secret does not exist.", "delete unreadable");
  expect_answer(patch(alice_, id, R"([{"op":"replace","path":"/x_admin_secret","value":"1"}])"),
                409u, "Property x_admin_secret does not exist.", "replace unreadable");

  // What the member may change, changes; what it cannot see is kept.
  auto r = patch(alice_, id, R"([{"op":"replace","path":"/free","value":"g"},
                                 {"op":"add","path":"/more","value":"m"}])");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json()["free"], "g");
  EXPECT_FALSE(r.json().contains("x_admin_secret"));
  auto all = shown(admin_, id);
  EXPECT_EQ(all["x_admin_secret"], "s");
  EXPECT_EQ(all["x_ro_k"], "r");
  EXPECT_EQ(all["more"], "m");
  // The admin changes and removes protected ones.
  auto by_admin = patch(admin_, id, R"([{"op":"remove","path":"/x_admin_secret"},
                                        {"op":"replace","path":"/x_ro_k","value":"r2"}])");
  ASSERT_EQ(by_admin.status, 200u) << by_admin.body;
  EXPECT_FALSE(by_admin.json().contains("x_admin_secret"));
  EXPECT_EQ(by_admin.json()["x_ro_k"], "r2");
}

}  // namespace
}  // namespace glance::testing
