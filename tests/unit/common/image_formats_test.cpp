#include "common/image_formats.h"

#include <gtest/gtest.h>

namespace glance::common {
namespace {

using Field = std::optional<std::optional<std::string>>;

TEST(ImageFormats, AcceptsListedFormats) {
  ImageFormats f;
  Field disk = std::optional<std::string>("qcow2"), container = std::optional<std::string>("bare");
  EXPECT_TRUE(f.validate(disk, container));
}

TEST(ImageFormats, RefusesUnknownAndNullFormats) {
  ImageFormats f;
  Field disk = std::optional<std::string>("bad_value"), none;
  auto r = f.validate(disk, none);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "Invalid disk format 'bad_value' for image.");
  Field null_disk = std::optional<std::string>();
  EXPECT_FALSE(f.validate(null_disk, none));
  Field container = std::optional<std::string>("tarball");
  Field no_disk;
  EXPECT_EQ(f.validate(no_disk, container).error().message(),
            "Invalid container format 'tarball' for image.");
}

TEST(ImageFormats, AmazonFormatsFillInAndMustMatch) {
  ImageFormats f;
  Field disk = std::optional<std::string>("aki"), container;
  ASSERT_TRUE(f.validate(disk, container));
  EXPECT_EQ(container, Field(std::optional<std::string>("aki")));
  Field d2, c2 = std::optional<std::string>("ari");
  ASSERT_TRUE(f.validate(d2, c2));
  EXPECT_EQ(d2, Field(std::optional<std::string>("ari")));
  Field d3 = std::optional<std::string>("ami"), c3 = std::optional<std::string>("aki");
  EXPECT_FALSE(f.validate(d3, c3));
}

TEST(ImageFormats, HonoursConfiguredLists) {
  ImageFormats f;
  f.disk_formats = {"raw"};
  Field disk = std::optional<std::string>("qcow2"), none;
  EXPECT_FALSE(f.validate(disk, none));
}

}  // namespace
}  // namespace glance::common
