#include "api/request_checks.h"
#include "api/api_config.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

using common::Errc;

ImageHeaderRequest meta_with_size(int64_t size) {
  ImageHeaderRequest m;
  m.fields.size = size;
  return m;
}

TEST(RequestChecks, DeclaredSizeOverTheCapIs400) {
  common::http::Request req;
  EXPECT_TRUE(check_declared_size(req, meta_with_size(100), 100));
  EXPECT_EQ(check_declared_size(req, meta_with_size(101), 100).error().code(), Errc::bad_request);
  req.content_length = 101;
  EXPECT_FALSE(check_declared_size(req, {}, 100));
  req.content_length.reset();
  req.chunked = true;
  EXPECT_TRUE(check_declared_size(req, {}, 100));  // the stream is limited while reading
}

ImageHeaderRequest meta_with_properties(std::initializer_list<const char*> names) {
  ImageHeaderRequest m;
  m.fields.properties = common::ImageProperties{};
  for (const char* name : names) (*m.fields.properties)[name] = "v";
  return m;
}

TEST(RequestChecks, PropertyQuotaCountsThePropertiesTheImageWillHave) {
  EXPECT_TRUE(check_property_quota({}, nullptr, true, 0));
  EXPECT_TRUE(check_property_quota(meta_with_properties({"a", "b"}), nullptr, true, 2));
  auto over = check_property_quota(meta_with_properties({"a", "b", "c"}), nullptr, true, 2);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code(), Errc::payload_too_large);
  EXPECT_EQ(over.error().message(),
            "The limit has been exceeded on the number of allowed image properties. "
            "Attempted: 3, Maximum: 2");
  EXPECT_TRUE(check_property_quota(meta_with_properties({"a", "b", "c"}), nullptr, true, -1));

  common::Image current;
  current.properties = {{"a", "old"}, {"b", std::nullopt}};
  // A merge keeps the current properties; a given one that exists counts once.
  EXPECT_TRUE(check_property_quota(meta_with_properties({"a", "c"}), &current, false, 3));
  EXPECT_EQ(
      check_property_quota(meta_with_properties({"c", "d"}), &current, false, 3).error().message(),
      "The limit has been exceeded on the number of allowed image properties. "
      "Attempted: 4, Maximum: 3");
  EXPECT_FALSE(check_property_quota({}, &current, false, 1));
  // A purge leaves only the given ones.
  EXPECT_TRUE(check_property_quota(meta_with_properties({"c", "d", "e"}), &current, true, 3));
  EXPECT_TRUE(check_property_quota({}, &current, true, 0));
}

TEST(RequestChecks, UpdateRules) {
  common::Image img;
  img.id = "i";
  img.status = common::ImageStatus::active;
  img.size = 5;
  common::RequestContext user;
  common::RequestContext admin;
  admin.is_admin = true;
  EXPECT_EQ(check_update_allowed(img, meta_with_size(6), user).error().message(),
            "Forbidden to modify 'size' of active image.");
  EXPECT_TRUE(check_update_allowed(img, meta_with_size(5), user));
  EXPECT_TRUE(check_update_allowed(img, meta_with_size(6), admin));
  ImageHeaderRequest status;
  status.status = "queued";
  EXPECT_EQ(check_update_allowed(img, status, admin).error().code(), Errc::forbidden);
  status.status = "active";
  EXPECT_TRUE(check_update_allowed(img, status, admin));
  img.status = common::ImageStatus::deleted;
  EXPECT_EQ(check_update_allowed(img, {}, admin).error().message(),
            "Forbidden to update deleted image.");
}

TEST(RequestChecks, ListFilters) {
  EXPECT_TRUE(check_list_params({{"size_min", "0"}, {"is_public", "None"}, {"name", "x"}}));
  EXPECT_FALSE(check_list_params({{"size_min", "-1"}}));
  EXPECT_FALSE(check_list_params({{"size_max", "abc"}}));
  EXPECT_FALSE(check_list_params({{"protected", "maybe"}}));
  // Upstream's words for a boolean filter it cannot read; none is left to the registry.
  for (const char* key : {"protected", "is_public"}) {
    auto bad = check_list_params({{"name", "x"}, {key, "yes"}});
    ASSERT_FALSE(bad) << key;
    EXPECT_EQ(bad.error().message(), std::string("Bad value passed to filter ") + key + " got yes");
    EXPECT_EQ(check_list_params({{key, ""}}).error().message(),
              std::string("Bad value passed to filter ") + key + " got ");
    for (const char* good : {"NONE", "None", "TRUE", "false", "1", "0"})
      EXPECT_TRUE(check_list_params({{key, good}})) << key << "=" << good;
  }
}

TEST(RequestChecks, OctetStreamIgnoresParameters) {
  common::http::Request req;
  EXPECT_FALSE(is_octet_stream(req));
  req.headers.set("Content-Type", "application/octet-stream; charset=binary");
  EXPECT_TRUE(is_octet_stream(req));
}

TEST(ApiConfig, ByteSizesUseBinaryMultiples) {
  EXPECT_EQ(parse_byte_size("0"), std::optional<uint64_t>(0));
  EXPECT_EQ(parse_byte_size("10B"), std::optional<uint64_t>(10));
  EXPECT_EQ(parse_byte_size("2KB"), std::optional<uint64_t>(2048));
  EXPECT_EQ(parse_byte_size("1GB"), std::optional<uint64_t>(1ull << 30));
  EXPECT_EQ(parse_byte_size("1XB"), std::nullopt);
}

}  // namespace
}  // namespace glance::api
