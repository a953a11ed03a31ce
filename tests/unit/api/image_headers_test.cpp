#include "api/image_headers.h"

#include "common/image_validation.h"
#include "common/utf8.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glance::api {
namespace {

using common::http::Headers;
using ::testing::HasSubstr;

Headers headers(std::initializer_list<std::pair<std::string, std::string>> fields) {
  Headers h;
  for (const auto& [n, v] : fields) h.add(n, v);
  return h;
}

common::Result<ImageHeaderRequest> parse(const Headers& h) {
  return parse_image_headers(h, common::ImageFormats{});
}

TEST(ImageHeaders, DashAndUnderscoreNamesAreTheSameField) {
  auto r = parse(headers({{"X-Image-Meta-Disk-Format", "raw"},
                          {"x-image-meta-container_format", "bare"},
                          {"x-image-meta-is_public", "None"}}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->fields.disk_format, std::optional<std::optional<std::string>>("raw"));
  EXPECT_EQ(r->fields.container_format, std::optional<std::optional<std::string>>("bare"));
  EXPECT_EQ(r->fields.is_public, std::optional<bool>(false));
}

TEST(ImageHeaders, PropertyNamesAreLowerCasedWithUnderscores) {
  auto r = parse(headers(
      {{"x-image-meta-property-OS-Distro", "ubuntu"}, {"x-image-meta-property-empty", ""}}));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->fields.properties);
  EXPECT_EQ(r->fields.properties->at("os_distro"), std::optional<std::string>("ubuntu"));
  EXPECT_EQ(r->fields.properties->at("empty"), std::nullopt);
}

TEST(ImageHeaders, UnknownMetaHeaderIsRefused) {
  auto r = parse(headers({{"x-image-meta-foo", "1"}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), common::Errc::bad_request);
  EXPECT_EQ(r.error().message(), "Bad header: x-image-meta-foo");
}

TEST(ImageHeaders, LenientBooleans) {
  for (auto [text, want] : {std::pair{"True", true},
                            {"yes", true},
                            {" 1 ", true},
                            {"on", true},
                            {"None", false},
                            {"garbage", false},
                            {"0", false}}) {
    auto r = parse(headers({{"x-image-meta-protected", text}}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->fields.is_protected, std::optional<bool>(want)) << text;
  }
}

TEST(ImageHeaders, IntegersFollowPythonInt) {
  auto ok = parse(headers({{"x-image-meta-size", " +42 "}, {"x-image-meta-min_ram", "7"}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->fields.size, std::optional<std::optional<int64_t>>(42));
  EXPECT_EQ(ok->fields.min_ram, std::optional<int64_t>(7));
  auto bad = parse(headers({{"x-image-meta-size", "abc"}}));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("Cannot convert image size 'abc' to an integer."));
  auto negative = parse(headers({{"x-image-meta-min_disk", "-1"}}));
  ASSERT_FALSE(negative);
  EXPECT_THAT(negative.error().message(), HasSubstr("Cannot be a negative value."));
  EXPECT_FALSE(parse(headers({{"x-image-meta-size", ""}})));
  auto none = parse(headers({{"x-image-meta-virtual_size", "None"}}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->fields.virtual_size,
            std::optional<std::optional<int64_t>>(std::optional<int64_t>()));
}

TEST(ImageHeaders, ValidatesFormatsNameChecksumAndTimes) {
  EXPECT_EQ(parse(headers({{"x-image-meta-disk_format", "bad_value"}})).error().message(),
            "Invalid disk format 'bad_value' for image.");
  auto aki = parse(headers({{"x-image-meta-disk_format", "aki"}}));
  ASSERT_TRUE(aki);
  EXPECT_EQ(aki->fields.container_format, std::optional<std::optional<std::string>>("aki"));
  EXPECT_FALSE(parse(
      headers({{"x-image-meta-disk_format", "ami"}, {"x-image-meta-container_format", "aki"}})));
  EXPECT_EQ(parse(headers({{"x-image-meta-name", std::string(256, 'n')}})).error().message(),
            "Image name too long: 256");
  EXPECT_THAT(parse(headers({{"x-image-meta-checksum", std::string(42, 'c')}})).error().message(),
              HasSubstr("can't exceed 32 characters"));
  EXPECT_EQ(parse(headers({{"x-image-meta-created_at", "foo"}})).error().message(),
            "Invalid time format for created_at.");
  auto t = parse(headers({{"x-image-meta-created_at", "2018-02-28T10:11:12Z"}}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->fields.created_at,
            std::optional<std::optional<std::string>>("2018-02-28T10:11:12.000000"));
}

TEST(ImageHeaders, RefusesControlCharactersAndConflictingDuplicates) {
  EXPECT_FALSE(parse(headers({{"x-image-meta-name", std::string("a\0b", 3)}})));
  EXPECT_FALSE(parse(headers({{"x-image-meta-property-x", "a\r\nSet-Cookie: y"}})));
  EXPECT_FALSE(
      parse(headers({{"x-image-meta-disk-format", "raw"}, {"x-image-meta-disk_format", "qcow2"}})));
  EXPECT_TRUE(
      parse(headers({{"x-image-meta-disk-format", "raw"}, {"x-image-meta-disk_format", "raw"}})));
}

TEST(ImageHeaders, AppliesTheRegistrysFieldRules) {
  EXPECT_EQ(parse(headers({{"x-image-meta-min_ram", "2147483648"}})).error().message(),
            "'min_ram' value out of range, must not exceed 2147483647.");
  EXPECT_TRUE(parse(headers({{"x-image-meta-min_disk", "2147483647"}})));
  EXPECT_THAT(parse(headers({{"x-image-meta-checksum", "abc"}})).error().message(),
              HasSubstr("'checksum'"));
  EXPECT_TRUE(parse(headers({{"x-image-meta-checksum", std::string(32, 'c')}})));
  EXPECT_THAT(parse(headers({{"x-image-meta-owner", std::string(256, 'o')}})).error().message(),
              HasSubstr("'owner'"));
  EXPECT_THAT(parse(headers({{"x-image-meta-property-p", "\xC3("}})).error().message(),
              HasSubstr("property 'p'"));
  EXPECT_THAT(parse(headers({{"x-image-meta-name", "a\x01"}})).error().message(),
              HasSubstr("'name'"));
  EXPECT_THAT(
      parse(headers({{"x-image-meta-property-" + std::string(256, 'p'), "v"}})).error().message(),
      HasSubstr("Invalid property name"));
  EXPECT_TRUE(parse(headers({{"x-image-meta-property-" + std::string(255, 'p'), "v"}})));
  EXPECT_THAT(parse(headers({{"x-image-meta-location", "http://h/\x7f"}})).error().message(),
              HasSubstr("'location'"));
}

TEST(ImageHeaders, RefusesValuesAndNamesThatAreNotUtf8) {
  for (auto [name, value] : std::initializer_list<std::pair<std::string, std::string>>{
           {"x-image-meta-name", "a\xff"},
           {"x-image-meta-property-distro", "\xc3"},
           {"x-image-meta-property-os", "\xed\xa0\x80"},
           {"x-image-meta-owner", "\xc0\xaf"},
           {"x-glance-api-copy-from", "http://h/\xfe"},
           {"x-image-meta-property-\xff", "x"}}) {
    auto r = parse(headers({{name, value}}));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code(), common::Errc::bad_request);
    EXPECT_TRUE(common::is_valid_utf8(r.error().message())) << "the bytes are not quoted";
  }
  auto ok = parse(headers({{"x-image-meta-property-distro", "ünï 😀"}}));
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->fields.properties->at("distro"), std::optional<std::string>("ünï 😀"));
}

TEST(ImageHeaders, PurgePropsDefaultsToTrue) {
  EXPECT_TRUE(parse(headers({}))->purge_props);
  EXPECT_FALSE(parse(headers({{"x-glance-registry-purge-props", "false"}}))->purge_props);
  auto src = parse(headers({{"x-glance-api-copy-from", "http://x/y"},
                            {"x-image-meta-location", "http://a/b"},
                            {"x-image-meta-store", "file"}}));
  ASSERT_TRUE(src);
  EXPECT_EQ(src->copy_from, std::optional<std::string>("http://x/y"));
  EXPECT_EQ(src->location, std::optional<std::string>("http://a/b"));
  EXPECT_EQ(src->store, std::optional<std::string>("file"));
}

TEST(ImageHeaders, RendersBooleansAsPythonDoesAndOmitsNulls) {
  common::Image img;
  img.id = "11111111-2222-3333-4444-555555555555";
  img.name = "cirros";
  img.size = 5;
  img.checksum = "abc";
  img.status = common::ImageStatus::active;
  img.is_public = true;
  img.properties["distro"] = "ubuntu";
  img.properties["gone"] = std::nullopt;
  img.properties["evil"] = "x\r\ny";
  img.properties["name\r\nset-cookie: a=b"] = "v";
  img.properties["spaced name"] = "v";
  img.properties[std::string("nul\0", 4)] = "v";
  img.properties["tab"] = "a\tb";
  img.properties["bell"] = "a\x07";
  img.locations.push_back({std::nullopt, "file:///secret"});
  img.created_at = "2018-02-28T10:11:12.000000";
  Headers out;
  add_image_headers(img, out);
  EXPECT_EQ(out.get("x-image-meta-is_public"), std::optional<std::string_view>("True"));
  EXPECT_EQ(out.get("x-image-meta-protected"), std::optional<std::string_view>("False"));
  EXPECT_EQ(out.get("x-image-meta-size"), std::optional<std::string_view>("5"));
  EXPECT_EQ(out.get("x-image-meta-property-distro"), std::optional<std::string_view>("ubuntu"));
  EXPECT_EQ(out.get("ETag"), std::optional<std::string_view>("abc"));
  EXPECT_FALSE(out.contains("x-image-meta-property-gone"));
  EXPECT_FALSE(out.contains("x-image-meta-property-evil"));
  EXPECT_FALSE(out.contains("x-image-meta-property-bell"));
  EXPECT_EQ(out.get("x-image-meta-property-tab"), std::optional<std::string_view>("a\tb"));
  for (const auto& [name, value] : out) {
    EXPECT_TRUE(common::is_valid_property_name(name)) << name;
    EXPECT_TRUE(common::is_header_safe_value(value)) << name;
  }
  EXPECT_FALSE(out.contains("x-image-meta-deleted_at"));
  EXPECT_FALSE(out.contains("x-image-meta-location"));
  auto j = image_to_api_json(img);
  EXPECT_FALSE(j.contains("location"));
  EXPECT_FALSE(j.contains("location_data"));
}

// A property name is stored through the registry API,
// which takes any JSON string, and becomes part of a response header's name.
TEST(ImageHeaders, LeavesOutPropertiesWhoseNameWouldSplitTheHeader) {
  common::Image img;
  img.properties["a\r\nset-cookie: s"] = "v";
  img.properties[std::string("b\0c", 3)] = "v";
  img.properties["fine"] = "v";
  Headers out;
  add_image_headers(img, out);
  for (const auto& [name, value] : out)
    EXPECT_EQ(name.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos) << name;
  EXPECT_EQ(out.get("x-image-meta-property-fine"), std::optional<std::string_view>("v"));
}

TEST(ImageHeaders, DigestFieldsAreShownButNeverTakenFromClients) {
  for (const char* name :
       {"x-image-meta-os_hash_algo", "x-image-meta-os-hash-value", "X-Image-Meta-Os_Hash_Value"}) {
    auto r = parse(headers({{name, "sha256"}}));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code(), common::Errc::bad_request) << name;
  }
  common::Image img;
  img.os_hash_algo = "sha256";
  img.os_hash_value = std::string(64, 'a');
  Headers out;
  add_image_headers(img, out);
  EXPECT_EQ(out.get("x-image-meta-os_hash_algo"), std::optional<std::string_view>("sha256"));
  EXPECT_EQ(out.get("x-image-meta-os_hash_value"),
            std::optional<std::string_view>(img.os_hash_value));
  auto j = image_to_api_json(img);
  EXPECT_EQ(j["os_hash_algo"], "sha256");
  EXPECT_EQ(j["os_hash_value"], std::string(64, 'a'));
}

}  // namespace
}  // namespace glance::api
