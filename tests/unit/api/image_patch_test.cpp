#include "api/v2/image_patch.h"

#include <gtest/gtest.h>

namespace glance::api::v2 {
namespace {

using common::Errc;
using nlohmann::json;

common::ImageFormats formats() {
  common::ImageFormats f;
  f.disk_formats = {"raw", "qcow2"};
  f.container_formats = {"bare", "ovf"};
  return f;
}

common::Result<std::vector<PatchChange>> parse(const std::string& text,
                                               PatchDialect dialect = PatchDialect::v2_1) {
  return parse_image_patch(json::parse(text), dialect, formats());
}

// The fault of a body, as "<status-ish code>: <message>".
std::string fault(const std::string& text, PatchDialect dialect = PatchDialect::v2_1) {
  auto r = parse(text, dialect);
  if (r) return "ok";
  return r.error().message();
}

common::Image image() {
  common::Image i;
  i.id = "11111111-2222-3333-4444-555555555555";
  i.name = "cirros";
  i.owner = "p1";
  i.visibility = "private";
  i.status = common::ImageStatus::queued;
  i.tags = {"a", "b"};
  i.properties = {{"kernel", "k1"}, {"secret", "s"}, {"a/b~c", "x"}};
  return i;
}

common::Result<ImageUpdate> patched(const std::string& text, const PatchPermissions& may = {},
                                    const common::Image& current = image(),
                                    PatchDialect dialect = PatchDialect::v2_1) {
  auto changes = parse(text, dialect);
  EXPECT_TRUE(changes) << changes.error().message();
  if (!changes) return changes.error();
  return apply_image_patch(current, *changes, may);
}

TEST(PatchDialectTest, NamesBothMediaTypesAndNothingElse) {
  EXPECT_EQ(patch_dialect("application/openstack-images-v2.1-json-patch"), PatchDialect::v2_1);
  EXPECT_EQ(patch_dialect("application/openstack-images-v2.0-json-patch; charset=UTF-8"),
            PatchDialect::v2_0);
  EXPECT_EQ(patch_dialect("Application/OpenStack-Images-v2.1-JSON-Patch"), PatchDialect::v2_1);
  EXPECT_FALSE(patch_dialect("application/json"));
  EXPECT_FALSE(patch_dialect("application/json-patch+json"));
  EXPECT_FALSE(patch_dialect(""));
  EXPECT_FALSE(patch_dialect("application/openstack-images-v2.1-json-patchx"));
}

TEST(ParseImagePatchTest, ReadsEveryOpInBothDialects) {
  auto v21 = parse(R"([{"op":"add","path":"/k","value":"v"},{"op":"remove","path":"/k"},
                       {"op":"replace","path":"/name","value":null}])");
  ASSERT_TRUE(v21) << v21.error().message();
  ASSERT_EQ(v21->size(), 3u);
  EXPECT_EQ((*v21)[0].op, PatchOp::add);
  EXPECT_EQ((*v21)[1].op, PatchOp::remove);
  EXPECT_EQ((*v21)[2].op, PatchOp::replace);
  EXPECT_EQ((*v21)[0].path, std::vector<std::string>{"k"});
  EXPECT_TRUE((*v21)[2].value.is_null());

  auto v20 = parse(R"([{"add":"/k","value":"v"},{"remove":"/k"},{"replace":"/min_ram","value":5}])",
                   PatchDialect::v2_0);
  ASSERT_TRUE(v20) << v20.error().message();
  EXPECT_EQ((*v20)[0].op, PatchOp::add);
  EXPECT_EQ((*v20)[1].op, PatchOp::remove);
  EXPECT_EQ((*v20)[2].value, 5);
  EXPECT_EQ((*v20)[2].dialect, PatchDialect::v2_0);
}

TEST(ParseImagePatchTest, DecodesPointerEscapes) {
  auto r = parse(R"([{"op":"add","path":"/a~1b~0c","value":"v"},
                     {"op":"add","path":"/~01","value":"v"}])");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)[0].path.front(), "a/b~c");
  EXPECT_EQ((*r)[1].path.front(), "~1");  // "~0" then "1", never "~1"
}

TEST(ParseImagePatchTest, RefusesBadDocumentsWithUpstreamsWords) {
  EXPECT_EQ(fault(R"({"op":"add"})"), "Request body must be a JSON array of operation objects.");
  EXPECT_EQ(fault(R"(["add"])"), "Operations must be JSON objects.");
  EXPECT_EQ(fault(R"([{"path":"/name","value":"x"}])"),
            "Unable to find `op` in JSON Schema change. It must be one of the following: add, "
            "remove, replace.");
  EXPECT_EQ(fault(R"([{"op":"move","path":"/name","value":"x"}])"),
            "Invalid operation: `move`. It must be one of the following: add, remove, replace.");
  EXPECT_EQ(fault(R"([{"op":"test","path":"/name","value":"x"}])"),
            "Invalid operation: `test`. It must be one of the following: add, remove, replace.");
  EXPECT_EQ(fault(R"([{"op":"add","value":"x"}])"), "Unable to find 'path' in JSON Schema change");
  EXPECT_EQ(fault(R"([{"op":"add","path":"name","value":"x"}])"),
            "Pointer `name` does not start with \"/\".");
  EXPECT_EQ(fault(R"([{"op":"add","path":7,"value":"x"}])"),
            "Pointer `7` does not start with \"/\".");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a/ /b","value":"x"}])"),
            "Pointer `/a/ /b` contains adjacent \"/\".");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a/","value":"x"}])"), "Pointer `/a/` end with \"/\".");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a~2","value":"x"}])"),
            "Pointer `/a~2` contains \"~\" not part of a recognized escape sequence.");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a~","value":"x"}])"),
            "Pointer `/a~` contains \"~\" not part of a recognized escape sequence.");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a/b","value":"x"}])"),
            "Invalid JSON pointer for this resource: '/a/b'");
  EXPECT_EQ(fault(R"([{"op":"replace","path":"/locations/1","value":[]}])"),
            "Invalid JSON pointer for this resource: '/locations/1'");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/name"}])"),
            "Operation \"add\" requires a member named \"value\".");
  EXPECT_EQ(fault(R"([{"add":"/a","remove":"/b"}])", PatchDialect::v2_0),
            "Operation objects must contain only one member named \"add\", \"remove\", or "
            "\"replace\".");
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a","value":"x"}])", PatchDialect::v2_0),
            "Operation objects must contain exactly one member named \"add\", \"remove\", or "
            "\"replace\".");
  // The whole body is refused at its first bad operation.
  EXPECT_EQ(fault(R"([{"op":"add","path":"/a","value":"x"},{"op":"copy","path":"/b"}])"),
            "Invalid operation: `copy`. It must be one of the following: add, remove, replace.");
}

TEST(ParseImagePatchTest, ReadOnlyAndReservedAttributesAre403) {
  for (const char* key :
       {"id", "status", "checksum", "size", "virtual_size", "created_at", "updated_at", "self",
        "file", "schema", "direct_url", "os_hash_algo", "os_hash_value"}) {
    auto r = parse(std::string(R"([{"op":"replace","path":"/)") + key + R"(","value":"x"}])");
    ASSERT_FALSE(r) << key;
    EXPECT_EQ(r.error().code(), Errc::forbidden);
    EXPECT_EQ(r.error().message(), std::string("Attribute '") + key + "' is read-only.");
    auto removal = parse(std::string(R"([{"op":"remove","path":"/)") + key + R"("}])");
    ASSERT_FALSE(removal);
    EXPECT_EQ(removal.error().code(), Errc::forbidden);
  }
  for (const char* key : {"location", "deleted", "deleted_at"}) {
    auto r = parse(std::string(R"([{"op":"add","path":"/)") + key + R"(","value":"x"}])");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Errc::forbidden);
    EXPECT_EQ(r.error().message(), std::string("Attribute '") + key + "' is reserved.");
  }
}

TEST(ParseImagePatchTest, ValuesMeetTheImageSchema) {
  auto bad = [](const std::string& path, const std::string& value) {
    auto r = parse(R"([{"op":"replace","path":")" + path + R"(","value":)" + value + "}]");
    EXPECT_FALSE(r) << path << " " << value;
    if (r) return std::string();
    EXPECT_EQ(r.error().code(), Errc::bad_request);
    return r.error().message();
  };
  EXPECT_EQ(bad("/min_ram", R"("5")"),
            "Provided object does not match schema 'image': '5' is not of type 'integer'");
  EXPECT_EQ(bad("/visibility", R"("everyone")"),
            "Provided object does not match schema 'image': 'everyone' is not one of "
            "['community', 'public', 'private', 'shared']");
  bad("/protected", R"("true")");
  bad("/os_hidden", "1");
  bad("/name", "\"" + std::string(256, 'n') + "\"");
  bad("/disk_format", R"("vhdx")");
  bad("/container_format", R"("docker")");
  bad("/tags", R"("a")");
  bad("/tags", R"([1])");
  bad("/tags", "[\"" + std::string(256, 't') + "\"]");
  bad("/owner", "5");
  bad("/kernel", "5");
  bad("/kernel", "null");
  bad("/kernel", R"({"a":"b"})");
  EXPECT_TRUE(parse(R"([{"op":"replace","path":"/name","value":null}])"));
  EXPECT_TRUE(parse(R"([{"op":"replace","path":"/disk_format","value":"qcow2"}])"));
}

TEST(ApplyImagePatchTest, SetsBaseAttributesAndOnlyThose) {
  auto f = patched(R"([{"op":"replace","path":"/name","value":"n2"},
                     {"op":"replace","path":"/visibility","value":"shared"},
                     {"op":"replace","path":"/protected","value":true},
                     {"op":"add","path":"/os_hidden","value":true},
                     {"op":"replace","path":"/disk_format","value":"raw"},
                     {"op":"replace","path":"/container_format","value":"bare"},
                     {"op":"replace","path":"/min_ram","value":512},
                     {"op":"add","path":"/min_disk","value":2}])");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.name, std::optional<std::string>("n2"));
  EXPECT_EQ(f->fields.visibility, "shared");
  EXPECT_EQ(f->fields.is_protected, true);
  EXPECT_EQ(f->fields.os_hidden, true);
  EXPECT_EQ(f->fields.disk_format, std::optional<std::string>("raw"));
  EXPECT_EQ(f->fields.container_format, std::optional<std::string>("bare"));
  EXPECT_EQ(f->fields.min_ram, 512);
  EXPECT_EQ(f->fields.min_disk, 2);
  EXPECT_FALSE(f->fields.properties);  // properties untouched: no purge
  EXPECT_FALSE(f->fields.tags);
  EXPECT_FALSE(f->fields.owner);
}

TEST(ApplyImagePatchTest, AddReplaceAndRemovePropertiesGiveTheWholeSet) {
  auto f = patched(R"([{"op":"add","path":"/new","value":"n"},
                     {"op":"add","path":"/kernel","value":"k2"},
                     {"op":"remove","path":"/secret"},
                     {"op":"replace","path":"/a~1b~0c","value":"y"}])");
  ASSERT_TRUE(f) << f.error().message();
  ASSERT_TRUE(f->fields.properties);
  common::ImageProperties want = {{"new", "n"}, {"kernel", "k2"}, {"a/b~c", "y"}};
  EXPECT_EQ(*f->fields.properties, want);
  EXPECT_TRUE(f->purge);
}

TEST(ApplyImagePatchTest, WithoutRemovalsOnlyTheWrittenPropertiesAreSent) {
  auto f = patched(R"([{"op":"add","path":"/new","value":"n"},
                       {"op":"replace","path":"/kernel","value":"k2"}])");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(f->purge);
  common::ImageProperties want = {{"new", "n"}, {"kernel", "k2"}};
  EXPECT_EQ(f->fields.properties, want);
  auto none = patched(R"([{"op":"replace","path":"/name","value":"n"}])");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->purge);
  EXPECT_FALSE(none->fields.properties);
}

TEST(ApplyImagePatchTest, LaterChangesSeeEarlierOnes) {
  auto f =
      patched(R"([{"op":"add","path":"/x","value":"1"},{"op":"replace","path":"/x","value":"2"},
                     {"op":"remove","path":"/x"},{"op":"add","path":"/x","value":"3"}])");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.properties->at("x"), std::optional<std::string>("3"));
  auto gone = patched(R"([{"op":"remove","path":"/kernel"},{"op":"remove","path":"/kernel"}])");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), Errc::conflict);
}

TEST(ApplyImagePatchTest, TagsAreReplacedAsASet) {
  auto f = patched(R"([{"op":"replace","path":"/tags","value":["z","a","z"]}])");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.tags, (std::vector<std::string>{"a", "z"}));
  auto cleared = patched(R"([{"op":"add","path":"/tags","value":[]}])");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->fields.tags, std::vector<std::string>{});
}

TEST(ApplyImagePatchTest, RefusesAsUpstreamDoes) {
  auto code_and_text = [](const common::Result<ImageUpdate>& r) {
    return r ? std::string("ok")
             : std::to_string(static_cast<int>(r.error().code())) + " " + r.error().message();
  };
  auto expect = [&](const std::string& body, Errc code, const std::string& text,
                    const PatchPermissions& may = {}, PatchDialect dialect = PatchDialect::v2_1) {
    auto r = patched(body, may, image(), dialect);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code(), code) << code_and_text(r);
    EXPECT_EQ(r.error().message(), text);
  };
  expect(R"([{"op":"remove","path":"/name"}])", Errc::forbidden,
         "Property name may not be removed.");
  expect(R"([{"op":"remove","path":"/tags"}])", Errc::forbidden,
         "Property tags may not be removed.");
  expect(R"([{"op":"remove","path":"/nothere"}])", Errc::conflict,
         "Property nothere does not exist.");
  expect(R"([{"op":"replace","path":"/nothere","value":"x"}])", Errc::conflict,
         "Property nothere does not exist.");
  expect(R"([{"add":"/kernel","value":"x"}])", Errc::conflict, "Property kernel already present.",
         {}, PatchDialect::v2_0);
  expect(R"([{"add":"/name","value":"x"}])", Errc::conflict, "Property name already present.", {},
         PatchDialect::v2_0);
  expect(R"([{"op":"replace","path":"/owner","value":"p2"}])", Errc::forbidden,
         "Owner can't be updated by non admin.");
  expect(R"([{"op":"replace","path":"/min_ram","value":-1}])", Errc::bad_request,
         "Invalid value '-1' for parameter 'min_ram': Cannot be a negative value");
  expect(R"([{"op":"replace","path":"/locations","value":[]}])", Errc::forbidden,
         "Cannot set locations to empty list.");
  expect(R"([{"op":"replace","path":"/locations","value":[{"url":"file:///x","metadata":{}}]}])",
         Errc::forbidden, "It's not allowed to update locations if locations are invisible.");
  expect(R"([{"op":"add","path":"/locations/-","value":{"url":"file:///x","metadata":{}}}])",
         Errc::forbidden, "It's not allowed to add locations if locations are invisible.");
  expect(R"([{"op":"remove","path":"/locations/0"}])", Errc::forbidden,
         "It's not allowed to remove locations if locations are invisible.");
  PatchPermissions admin;
  admin.is_admin = true;
  EXPECT_TRUE(patched(R"([{"op":"replace","path":"/owner","value":"p2"}])", admin));
}

TEST(ParseImagePatchTest, LocationItemsFollowTheImageSchema) {
  const std::string schema = "Provided object does not match schema 'image': ";
  auto add = [](const std::string& value) {
    return fault(R"([{"op":"add","path":"/locations/-","value":)" + value + "}]");
  };
  EXPECT_EQ(add(R"({"url":"http://a/b","metadata":{"k":["v"]}})"), "ok");
  EXPECT_EQ(add(R"("http://a/b")"), schema + "'http://a/b' is not of type 'object'");
  EXPECT_EQ(add(R"({"metadata":{}})"), schema + "'url' is a required property");
  EXPECT_EQ(add(R"({"url":"http://a/b"})"), schema + "'metadata' is a required property");
  EXPECT_EQ(add(R"({"url":7,"metadata":{}})"), schema + "7 is not of type 'string'");
  EXPECT_EQ(add(R"({"url":"http://a/b","metadata":[]})"), schema + "[] is not of type 'object'");
  EXPECT_EQ(add(R"({"url":")" + std::string(256, 'u') + R"(","metadata":{}})"),
            schema + "'" + std::string(256, 'u') + "' is too long");
  EXPECT_EQ(fault(R"([{"op":"replace","path":"/locations","value":[{"url":null,"metadata":{}}]}])"),
            schema + "None is not of type 'string'");
}

TEST(ApplyImagePatchTest, LocationsAreLeftToTheirOwnCodeWhenVisible) {
  PatchPermissions may;
  may.locations_visible = true;
  auto r =
      patched(R"([{"op":"add","path":"/locations/-","value":{"url":"http://a/b","metadata":{}}},
                       {"op":"replace","path":"/name","value":"n"}])",
              may);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->fields.locations);
  EXPECT_EQ(r->fields.name, std::optional<std::string>("n"));
  // An empty list stays refused first, as upstream's.
  r = patched(R"([{"op":"replace","path":"/locations","value":[]}])", may);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "Cannot set locations to empty list.");
}

TEST(ApplyImagePatchTest, FormatsChangeOnlyWhileQueued) {
  auto active = image();
  active.status = common::ImageStatus::active;
  auto r = patched(R"([{"op":"replace","path":"/disk_format","value":"raw"}])", {}, active);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::forbidden);
  EXPECT_EQ(r.error().message(), "Attribute disk_format can be only replaced for a queued image.");
  EXPECT_TRUE(patched(R"([{"op":"replace","path":"/name","value":"n"}])", {}, active));
}

TEST(ApplyImagePatchTest, AnImageOfAnotherProjectIsNotModified) {
  PatchPermissions may;
  may.image_mutable = false;
  auto r = patched(R"([{"op":"replace","path":"/name","value":"n"}])", may);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::forbidden);
  EXPECT_EQ(r.error().message(), "You are not permitted to modify 'name' on this image.");
  r = patched(R"([{"op":"remove","path":"/kernel"}])", may);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "You are not permitted to modify 'kernel' on this image.");
  r = patched(R"([{"op":"add","path":"/z","value":"1"}])", may);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::forbidden);
}

TEST(ApplyImagePatchTest, PoliciesDecideVisibilityAndSaving) {
  PatchPermissions may;
  std::vector<std::string> asked;
  may.visibility_allowed = [&asked](const std::string& v) -> common::Result<void> {
    asked.push_back(v);
    if (v == "public") return common::Error::forbidden("");
    return {};
  };
  int saves = 0;
  may.may_save = [&saves]() -> common::Result<void> {
    ++saves;
    return {};
  };
  EXPECT_FALSE(patched(R"([{"op":"replace","path":"/visibility","value":"public"}])", may));
  EXPECT_TRUE(patched(R"([{"op":"replace","path":"/visibility","value":"community"}])", may));
  EXPECT_EQ(asked, (std::vector<std::string>{"public", "community"}));
  EXPECT_EQ(saves, 1);
  EXPECT_TRUE(patched("[]", may));
  EXPECT_EQ(saves, 1);  // an empty patch saves nothing
  may.may_save = []() -> common::Result<void> { return common::Error::forbidden(""); };
  auto r = patched(R"([{"op":"replace","path":"/name","value":"n"}])", may);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::forbidden);
}

TEST(ApplyImagePatchTest, PropertyProtectionsApplyPerOperation) {
  PatchPermissions may;
  // "secret" cannot be read; "kernel" can be read but not updated or deleted; "made" only created.
  may.property_allowed = [](const std::string& key, PropertyOperation op) {
    if (key == "secret") return false;
    if (key == "kernel") return op == PropertyOperation::read;
    if (key == "made") return op == PropertyOperation::create;
    return true;
  };
  auto refused = [&](const std::string& body, Errc code, const std::string& text) {
    auto r = patched(body, may);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code(), code);
    EXPECT_EQ(r.error().message(), text);
  };
  refused(R"([{"op":"replace","path":"/kernel","value":"k"}])", Errc::forbidden,
          "Attribute 'kernel' is reserved.");
  refused(R"([{"op":"remove","path":"/kernel"}])", Errc::forbidden,
          "Attribute 'kernel' is reserved.");
  refused(R"([{"op":"remove","path":"/secret"}])", Errc::conflict,
          "Property secret does not exist.");
  refused(R"([{"op":"replace","path":"/secret","value":"s"}])", Errc::conflict,
          "Property secret does not exist.");
  refused(R"([{"op":"add","path":"/made","value":"1"},{"op":"add","path":"/made","value":"2"}])",
          Errc::forbidden, "Attribute 'made' is reserved.");
  auto f = patched(
      R"([{"op":"add","path":"/made","value":"1"},{"op":"add","path":"/z","value":"2"}])", may);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.properties, (common::ImageProperties{{"made", "1"}, {"z", "2"}}));
  // With a removal the whole set is written, the unreadable property kept as stored.
  f = patched(R"([{"op":"add","path":"/made","value":"1"},{"op":"remove","path":"/a~1b~0c"}])",
              may);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_TRUE(f->purge);
  EXPECT_EQ(f->fields.properties,
            (common::ImageProperties{{"made", "1"}, {"kernel", "k1"}, {"secret", "s"}}));
}

TEST(ApplyImagePatchTest, AnUnreadablePropertyTheCallerMayCreateIsWrittenOver) {
  PatchPermissions may;
  may.property_allowed = [](const std::string& key, PropertyOperation op) {
    return key != "secret" || op == PropertyOperation::create;
  };
  auto f = patched(R"([{"op":"add","path":"/secret","value":"new"}])", may);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.properties->at("secret"), std::optional<std::string>("new"));
}

TEST(ApplyImagePatchTest, QuotasAre413) {
  PatchPermissions may;
  may.tag_quota = 2;
  may.property_quota = 3;
  auto tags = patched(R"([{"op":"replace","path":"/tags","value":["a","b","c"]}])", may);
  ASSERT_FALSE(tags);
  EXPECT_EQ(tags.error().code(), Errc::payload_too_large);
  EXPECT_EQ(tags.error().message(),
            "The limit has been exceeded on the number of allowed image tags. Attempted: 3, "
            "Maximum: 2");
  auto props = patched(R"([{"op":"add","path":"/p4","value":"x"}])", may);
  ASSERT_FALSE(props);
  EXPECT_EQ(props.error().code(), Errc::payload_too_large);
  EXPECT_EQ(props.error().message(),
            "The limit has been exceeded on the number of allowed image properties. Attempted: "
            "4, Maximum: 3");
  // Over the quota already, a patch that adds nothing still passes, as upstream's.
  may.property_quota = 1;
  EXPECT_TRUE(patched(R"([{"op":"replace","path":"/kernel","value":"k"}])", may));
  EXPECT_TRUE(patched(R"([{"op":"add","path":"/p4","value":"x"},{"op":"remove","path":"/kernel"},
                        {"op":"remove","path":"/secret"},{"op":"remove","path":"/a~1b~0c"}])",
                      may));
  may.tag_quota = -1;
  may.property_quota = -1;
  std::string many = "[";
  for (int i = 0; i < 500; ++i)
    many += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\"";
  EXPECT_TRUE(patched(R"([{"op":"replace","path":"/tags","value":)" + many + "]}]", may));
}

TEST(ApplyImagePatchTest, ManyOperationsApplyInOrder) {
  std::string body = "[";
  for (int i = 0; i < 10000; ++i)
    body += (i ? "," : "") + std::string(R"({"op":"add","path":"/k","value":")") +
            std::to_string(i) + "\"}";
  body += "]";
  auto f = patched(body);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->fields.properties->at("k"), std::optional<std::string>("9999"));
}

TEST(CheckTagQuotaTest, CountsAsGiven) {
  EXPECT_TRUE(check_tag_quota(3, 3));
  EXPECT_TRUE(check_tag_quota(1000, -1));
  EXPECT_FALSE(check_tag_quota(4, 3));
  EXPECT_EQ(reserved_property("x").message(), "Attribute 'x' is reserved.");
}

}  // namespace
}  // namespace glance::api::v2
