#include "common/image_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace glance::common {
namespace {

using ::testing::HasSubstr;

template <class Set>
ImageFields with(Set set) {
  ImageFields f;
  set(f);
  return f;
}

bool accepted(const ImageFields& f) {
  return validate_image_fields(f).has_value();
}

std::string refusal(const ImageFields& f) {
  auto r = validate_image_fields(f);
  if (r) return "(accepted)";
  EXPECT_EQ(r.error().code(), Errc::bad_request);
  return r.error().message();
}

ImageFields with_property(const std::string& name, std::optional<std::string> value = "v") {
  return with([&](ImageFields& f) { f.properties = ImageProperties{{name, value}}; });
}

ImageFields with_location(ImageLocation l) {
  return with([&](ImageFields& f) { f.locations = std::vector<ImageLocation>{l}; });
}

TEST(ImageValidation, EmptyFieldSetIsValid) {
  EXPECT_TRUE(accepted(ImageFields{}));
}

TEST(ImageValidation, SizesAreNotNegative) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (auto size : {int64_t{0}, int64_t{1}, kMax}) {
    EXPECT_TRUE(accepted(with([&](ImageFields& f) { f.size = size; })));
    EXPECT_TRUE(accepted(with([&](ImageFields& f) { f.virtual_size = size; })));
  }
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.size = std::optional<int64_t>(); })));
  for (auto size : {int64_t{-1}, std::numeric_limits<int64_t>::min()}) {
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.size = size; })),
                HasSubstr("'size': cannot be a negative value"));
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.virtual_size = size; })),
                HasSubstr("'virtual_size'"));
  }
}

TEST(ImageValidation, MinDiskAndMinRamFitAnInt) {
  for (auto v : {int64_t{0}, int64_t{2147483647}}) {
    EXPECT_TRUE(accepted(with([&](ImageFields& f) { f.min_disk = v; })));
    EXPECT_TRUE(accepted(with([&](ImageFields& f) { f.min_ram = v; })));
  }
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.min_ram = int64_t{2147483648}; })),
            "'min_ram' value out of range, must not exceed 2147483647.");
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.min_disk = int64_t{2147483648}; })),
            "'min_disk' value out of range, must not exceed 2147483647.");
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.min_disk = int64_t{-1}; })),
              HasSubstr("'min_disk': cannot be a negative value"));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.min_ram = int64_t{-1}; })),
              HasSubstr("'min_ram'"));
}

TEST(ImageValidation, IdIsUuidLike) {
  EXPECT_TRUE(
      accepted(with([](ImageFields& f) { f.id = "0e7c0c2e-0000-4000-8000-0000000000aa"; })));
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.id = "not-a-uuid"; })), "Invalid image id format");
}

TEST(ImageValidation, NameIsAtMost255CharactersNotBytes) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.name = std::string(255, 'n'); })));
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.name = std::optional<std::string>(); })));
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.name = std::string(); })));
  std::string e_acute = "\xC3\xA9";
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += e_acute;
  EXPECT_TRUE(accepted(with([&](ImageFields& f) { f.name = wide; })));
  EXPECT_THAT(refusal(with([&](ImageFields& f) { f.name = wide + "x"; })),
              HasSubstr("'name': must be 0 to 255 characters long"));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.name = std::string(256, 'n'); })),
              HasSubstr("'name'"));
}

TEST(ImageValidation, TextRefusesControlCharactersButTab) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.name = "a\tb"; })));
  for (std::string bad : {std::string("a\rb"), std::string("a\nb"), std::string("a\0b", 3),
                          std::string("a\x01"), std::string("a\x1f"), std::string("a\x7f")}) {
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.name = bad; })),
                HasSubstr("without control characters"));
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.owner = bad; })), HasSubstr("'owner'"));
    EXPECT_FALSE(is_header_safe_value(bad));
  }
  EXPECT_TRUE(is_header_safe_value("a\tb ~"));
}

TEST(ImageValidation, TextMustBeWellFormedUtf8) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.name = "\xF0\x9F\x98\x80 \xE2\x82\xAC"; })));
  for (std::string bad : {"\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xFF", "\x80", "\xE2\x82"}) {
    EXPECT_FALSE(accepted(with([&](ImageFields& f) { f.name = bad; }))) << bad;
    EXPECT_FALSE(is_header_safe_value(bad)) << bad;
  }
}

TEST(ImageValidation, OwnerIsAtMost255Characters) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.owner = std::string(255, 'o'); })));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.owner = std::string(256, 'o'); })),
              HasSubstr("'owner'"));
}

TEST(ImageValidation, FormatsAreOneTo20Characters) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) {
    f.disk_format = std::string(20, 'd');
    f.container_format = "b";
  })));
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.disk_format = std::optional<std::string>(); })));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.disk_format = std::string(21, 'd'); })),
              HasSubstr("'disk_format'"));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.container_format = std::string(); })),
              HasSubstr("'container_format'"));
  EXPECT_THAT(refusal(with([](ImageFields& f) { f.container_format = "bare\r\nx"; })),
              HasSubstr("'container_format'"));
}

TEST(ImageValidation, ChecksumIsAnMd5InHex) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.checksum = std::string(32, 'a'); })));
  EXPECT_TRUE(
      accepted(with([](ImageFields& f) { f.checksum = "0123456789abcdefABCDEF0123456789"; })));
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.checksum = std::optional<std::string>(); })));
  for (std::string bad : {std::string(31, 'a'), std::string(33, 'a'), std::string(32, 'g'),
                          std::string(), std::string(30, 'a') + "\r\n"})
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.checksum = bad; })), HasSubstr("'checksum'"))
        << bad;
}

TEST(ImageValidation, HashAlgorithmAndValue) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) {
    f.os_hash_algo = "sha256";
    f.os_hash_value = std::string(128, 'f');
  })));
  EXPECT_TRUE(accepted(with([](ImageFields& f) { f.os_hash_algo = std::string(64, 'a'); })));
  for (std::string bad :
       {std::string(65, 'a'), std::string(), std::string("SHA256"), std::string("sha 256")})
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.os_hash_algo = bad; })),
                HasSubstr("'os_hash_algo'"));
  for (std::string bad : {std::string(129, 'f'), std::string(), std::string("xyz")})
    EXPECT_THAT(refusal(with([&](ImageFields& f) { f.os_hash_value = bad; })),
                HasSubstr("'os_hash_value'"));
}

TEST(ImageValidation, TimestampsAreIso8601) {
  EXPECT_TRUE(accepted(with([](ImageFields& f) {
    f.created_at = "2018-02-28T10:11:12.000000";
    f.updated_at = std::optional<std::string>();
    f.deleted_at = "2018-02-28T10:11:12";
  })));
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.created_at = "yesterday"; })),
            "Invalid time format for created_at.");
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.updated_at = "2018-13-01T00:00:00"; })),
            "Invalid time format for updated_at.");
  EXPECT_EQ(refusal(with([](ImageFields& f) { f.deleted_at = "x"; })),
            "Invalid time format for deleted_at.");
}

TEST(ImageValidation, PropertyNamesAreHeaderTokensOfAtMost255) {
  for (std::string good : {std::string("os_distro"), std::string("Os-Distro"), std::string("a"),
                           std::string(255, 'p'), std::string("!#$%&'*+-.^_`|~09")}) {
    EXPECT_TRUE(is_valid_property_name(good)) << good;
    EXPECT_TRUE(accepted(with_property(good))) << good;
  }
  for (std::string bad :
       {std::string(), std::string(256, 'p'), std::string("a\r\nSet-Cookie: x"), std::string("a\n"),
        std::string("a\0b", 3), std::string("a b"), std::string("a:b"), std::string("a\tb"),
        std::string("a\"b"), std::string("(a)"), std::string("a/b"), std::string("\xC3\xA9")}) {
    EXPECT_FALSE(is_valid_property_name(bad)) << bad;
    EXPECT_THAT(refusal(with_property(bad)), HasSubstr("Invalid property name")) << bad;
  }
}

TEST(ImageValidation, PropertyValuesAreSafeTextOfAtMost65535Bytes) {
  EXPECT_TRUE(accepted(with_property("p", std::nullopt)));
  EXPECT_TRUE(accepted(with_property("p", "")));
  EXPECT_TRUE(accepted(with_property("p", std::string(65535, 'v'))));
  EXPECT_THAT(refusal(with_property("p", std::string(65536, 'v'))),
              HasSubstr("Invalid value for property 'p'"));
  for (std::string bad : {std::string("a\r\nb"), std::string("\n"), std::string("a\0", 2),
                          std::string("\x1b[0m"), std::string("\xC3")})
    EXPECT_THAT(refusal(with_property("p", bad)), HasSubstr("property 'p'"));
}

TEST(ImageValidation, LocationUrlsStatusAndMetadata) {
  EXPECT_TRUE(accepted(with_location({std::nullopt, "file:///x"})));
  EXPECT_TRUE(accepted(with_location({std::nullopt, "http://h/" + std::string(65526, 'a')})));
  EXPECT_TRUE(validate_location_url(std::string(65535, 'a')));
  for (std::string bad : {std::string(), std::string(65536, 'a'), std::string("http://h/\r\nx"),
                          std::string("http://h/\0", 10)}) {
    EXPECT_THAT(refusal(with_location({std::nullopt, bad})), HasSubstr("'location'"));
    EXPECT_FALSE(validate_location_url(bad));
  }
  for (const char* status : {"active", "pending_delete", "deleted"})
    EXPECT_TRUE(
        accepted(with_location({std::nullopt, "file:///x", nlohmann::json::object(), status})));
  EXPECT_THAT(
      refusal(with_location({std::nullopt, "file:///x", nlohmann::json::object(), "bogus"})),
      HasSubstr("'location_data'"));
  EXPECT_FALSE(accepted(with_location({std::nullopt, "file:///x", nlohmann::json::array()})));
  nlohmann::json big = {{"k", std::string(65535, 'm')}};
  EXPECT_FALSE(accepted(with_location({std::nullopt, "file:///x", big})));
}

TEST(ImageValidation, DropSystemFieldsClearsOnlyThem) {
  auto f = with([](ImageFields& f) {
    f.deleted = true;
    f.deleted_at = "2018-02-28T10:11:12";
    f.created_at = "2018-02-28T10:11:12";
    f.updated_at = "2018-02-28T10:11:12";
    f.name = "kept";
    f.status = ImageStatus::active;
    f.size = int64_t{5};
  });
  drop_system_fields(f);
  EXPECT_FALSE(f.deleted);
  EXPECT_FALSE(f.deleted_at);
  EXPECT_FALSE(f.created_at);
  EXPECT_FALSE(f.updated_at);
  EXPECT_EQ(f.name, std::optional<std::optional<std::string>>("kept"));
  EXPECT_EQ(f.status, ImageStatus::active);
  EXPECT_TRUE(f.size);
}

TEST(ImageValidation, V2VisibilityAndTags) {
  ImageFields f;
  f.visibility = "community";
  f.tags = std::vector<std::string>{"ok", std::string(255, 'x')};
  EXPECT_TRUE(validate_image_fields(f));
  f.visibility = "everyone";
  EXPECT_FALSE(validate_image_fields(f));
  f.visibility = "private";
  f.tags = std::vector<std::string>{std::string(256, 'x')};
  EXPECT_FALSE(validate_image_fields(f));
  f.tags = std::vector<std::string>{""};
  EXPECT_FALSE(validate_image_fields(f));
  f.tags = std::vector<std::string>{"a\nb"};
  EXPECT_FALSE(validate_image_fields(f));
}

}  // namespace
}  // namespace glance::common
