#include "common/image_json.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace glance::common
