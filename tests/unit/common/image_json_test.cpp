#include "common/image_json.h"

#include <gtest/gtest.h>

#include <limits>

namespace glance::common {
namespace {

TEST(ImageJson, FullDictHasEveryRegistryKey) {
  Image img;
  img.id = "0e7c0c2e-0000-4000-8000-000000000001";
  img.name = "cirros";
  img.status = ImageStatus::active;
  img.created_at = "2018-02-28T10:11:12.000000";
  img.properties["a"] = "b";
  img.locations.push_back({int64_t{3}, "file:///x", nlohmann::json::object(), "active"});
  auto j = image_to_json(img);
  for (const char* key : {"id",           "name",         "size",
                          "virtual_size", "disk_format",  "container_format",
                          "status",       "checksum",     "owner",
                          "min_disk",     "min_ram",      "protected",
                          "is_public",    "created_at",   "updated_at",
                          "deleted_at",   "deleted",      "properties",
                          "location",     "location_data"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["status"], "active");
  EXPECT_EQ(j["location"], "file:///x");
  EXPECT_TRUE(j["size"].is_null());
  EXPECT_EQ(image_to_brief_json(img).size(), 6u);
}

TEST(ImageJson, RoundTripsThroughTheRegistryForm) {
  Image img;
  img.id = "id-1";
  img.size = 42;
  img.is_public = true;
  img.owner = "t1";
  img.status = ImageStatus::saving;
  img.properties["k"] = std::nullopt;
  auto back = image_from_json(image_to_json(img));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size, 42);
  EXPECT_TRUE(back->is_public);
  EXPECT_EQ(back->status, ImageStatus::saving);
  EXPECT_EQ(back->properties.at("k"), std::nullopt);
}

TEST(ImageJson, FieldsRejectWrongTypesAndBadStatus) {
  EXPECT_FALSE(image_fields_from_json({{"name", 5}}));
  EXPECT_FALSE(image_fields_from_json({{"size", "abc"}}));
  EXPECT_FALSE(image_fields_from_json({{"properties", "x"}}));
  auto bad_status = image_fields_from_json({{"status", "bogus"}});
  ASSERT_FALSE(bad_status);
  EXPECT_EQ(bad_status.error().code(), Errc::bad_request);
  EXPECT_FALSE(image_fields_from_json(nlohmann::json::array()));
}

TEST(ImageJson, PropertyValuesAreStringsOrNull) {
  auto ok = image_fields_from_json({{"properties", {{"a", "x"}, {"b", nullptr}}}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->properties->at("a"), std::optional<std::string>("x"));
  for (nlohmann::json value : {nlohmann::json{{"nested", "x"}}, nlohmann::json::array({1}),
                               nlohmann::json(5), nlohmann::json(true), nlohmann::json(1.5)}) {
    auto r = image_fields_from_json({{"properties", {{"a", value}}}});
    ASSERT_FALSE(r) << value;
    EXPECT_EQ(r.error().code(), Errc::bad_request);
    EXPECT_EQ(r.error().message(), "Invalid value for 'properties.a': expected a string or null.");
  }
}

TEST(ImageJson, IntegersBeyondInt64AreRefusedNotWrapped) {
  auto max = image_fields_from_json({{"size", std::numeric_limits<int64_t>::max()}});
  ASSERT_TRUE(max);
  EXPECT_EQ(max->size, std::optional<std::optional<int64_t>>(std::numeric_limits<int64_t>::max()));
  for (const char* text : {R"({"size": 9223372036854775808})", R"({"size": 18446744073709551615})",
                           R"({"min_ram": 18446744073709551615})", R"({"size": 1e30})",
                           R"({"size": "9223372036854775808"})", R"({"virtual_size": 1.5})"})
    EXPECT_FALSE(image_fields_from_json(nlohmann::json::parse(text))) << text;
  auto negative = image_fields_from_json({{"size", -1}});
  ASSERT_TRUE(negative);  // a well-typed value: the validator judges its range
  EXPECT_EQ(negative->size, std::optional<std::optional<int64_t>>(-1));
}

TEST(ImageJson, LocationFieldsHaveTheirTypes) {
  auto ok = image_fields_from_json(
      {{"location_data",
        {{{"url", "http://a"}, {"id", 3}, {"metadata", {{"k", "v"}}}, {"status", "active"}},
         {{"url", "http://b"}, {"id", nullptr}, {"metadata", nullptr}, {"status", nullptr}}}}});
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok->locations)[0].id, std::optional<int64_t>(3));
  EXPECT_EQ((*ok->locations)[1].status, "active");
  for (nlohmann::json bad :
       {nlohmann::json{{"location", 5}}, nlohmann::json{{"location", {{"url", "x"}}}},
        nlohmann::json{{"location_data", {{{"url", "http://a"}, {"id", "three"}}}}},
        nlohmann::json{{"location_data", {{{"url", "http://a"}, {"metadata", "m"}}}}},
        nlohmann::json{{"location_data", {{{"url", "http://a"}, {"status", 1}}}}},
        nlohmann::json{{"location_data", {{{"url", 1}}}}}})
    EXPECT_FALSE(image_fields_from_json(bad)) << bad;
  auto null_location = image_fields_from_json({{"location", nullptr}});
  ASSERT_TRUE(null_location);
  EXPECT_FALSE(null_location->locations);
}

TEST(ImageJson, InUseIsWrittenOnlyWhenKnownAndReadBack) {
  Image img;
  img.id = "i";
  img.locations = {{int64_t{1}, "file:///a"}, {int64_t{2}, "file:///b"}, {int64_t{3}, "file:///c"}};
  img.locations[1].in_use = true;
  img.locations[2].in_use = false;
  const auto j = image_to_json(img);
  EXPECT_FALSE(j["location_data"][0].contains("in_use")) << j;
  EXPECT_EQ(j["location_data"][1]["in_use"], true);
  EXPECT_EQ(j["location_data"][2]["in_use"], false);
  auto back = image_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->locations[0].in_use, std::nullopt);
  EXPECT_EQ(back->locations[1].in_use, std::optional<bool>(true));
  EXPECT_EQ(back->locations[2].in_use, std::optional<bool>(false));
}

TEST(ImageJson, InUseInARequestIsNeverWrittenAndOfAnyTypeIsNoError) {
  for (nlohmann::json v : {nlohmann::json("yes"), nlohmann::json(1), nlohmann::json::object()}) {
    auto f = image_fields_from_json({{"location_data", {{{"url", "http://a"}, {"in_use", v}}}}});
    ASSERT_TRUE(f) << v;
    EXPECT_EQ((*f->locations)[0].in_use, std::nullopt) << v;
  }
  ImageFields fields;
  fields.locations = std::vector<ImageLocation>{{int64_t{1}, "http://a"}};
  fields.locations->front().in_use = true;
  EXPECT_FALSE(image_fields_to_json(fields)["location_data"][0].contains("in_use"));
}

TEST(ImageJson, FieldsDistinguishAbsentFromNull) {
  auto f = image_fields_from_json({{"name", nullptr}, {"size", "12"}, {"unknown", 1}});
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->name.has_value());
  EXPECT_FALSE(f->name->has_value());
  EXPECT_EQ(f->size, std::optional<std::optional<int64_t>>(12));
  EXPECT_FALSE(f->disk_format.has_value());
}

TEST(ImageJson, LocationMergesIntoLocationData) {
  auto f = image_fields_from_json(
      {{"location", "http://a"}, {"location_data", {{{"url", "http://b"}}}}});
  ASSERT_TRUE(f);
  ASSERT_EQ(f->locations->size(), 2u);
  EXPECT_EQ((*f->locations)[0].url, "http://a");
  auto same = image_fields_from_json(
      {{"location", "http://b"}, {"location_data", {{{"url", "http://b"}}}}});
  EXPECT_EQ(same->locations->size(), 1u);
}

TEST(ImageJson, LenientBooleans) {
  for (const char* t : {"1", "t", "True", " yes ", "ON", "y"}) EXPECT_TRUE(lenient_bool(t)) << t;
  for (const char* f : {"0", "false", "None", "garbage", ""}) EXPECT_FALSE(lenient_bool(f)) << f;
}

TEST(ImageJson, V2FieldsOnlyInTheV2FullForm) {
  Image img;
  img.id = "id-2";
  img.visibility = "community";
  img.os_hidden = true;
  img.tags = {"a", "b"};
  auto v1 = image_to_json(img);
  EXPECT_FALSE(v1.contains("visibility"));
  EXPECT_FALSE(v1.contains("os_hidden"));
  EXPECT_FALSE(v1.contains("tags"));
  auto back = image_from_json(image_to_json(img, true));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->visibility, "community");
  EXPECT_FALSE(back->is_public);
  EXPECT_TRUE(back->os_hidden);
  EXPECT_EQ(back->tags, (std::vector<std::string>{"a", "b"}));
}

TEST(ImageJson, VisibilityFollowsIsPublicWhenAbsent) {
  auto pub = image_from_json({{"id", "x"}, {"is_public", true}});
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->visibility, "public");
  auto priv = image_from_json({{"id", "x"}, {"is_public", false}});
  ASSERT_TRUE(priv);
  EXPECT_EQ(priv->visibility, "shared");
}

TEST(ImageJson, V2FieldSetsAreReadOnlyWhenAsked) {
  nlohmann::json j = {{"visibility", "private"}, {"os_hidden", true}, {"tags", {"t"}}};
  auto v1 = image_fields_from_json(j);
  ASSERT_TRUE(v1);
  EXPECT_FALSE(v1->visibility);
  EXPECT_FALSE(v1->tags);
  auto v2 = image_fields_from_json(j, true);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->visibility, "private");
  EXPECT_EQ(v2->os_hidden, true);
  EXPECT_EQ(v2->tags, (std::vector<std::string>{"t"}));
  auto round = image_fields_from_json(image_fields_to_json(*v2), true);
  ASSERT_TRUE(round);
  EXPECT_EQ(round->tags, v2->tags);
  EXPECT_FALSE(image_fields_from_json({{"tags", {1}}}, true));
  EXPECT_FALSE(image_fields_from_json({{"tags", "t"}}, true));
  EXPECT_FALSE(image_fields_from_json({{"os_hidden", "yes"}}, true));
  EXPECT_FALSE(image_fields_from_json({{"visibility", 1}}, true));
}

}  // namespace
}  // namespace glance::common
