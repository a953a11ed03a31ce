// The read-back tests of image and membership writes.

#include "registry/image_match.h"
#include "registry/membership_match.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

using common::Image;
using common::ImageFields;
using common::ImageLocation;

Image stored_image() {
  Image img;
  img.id = "id";
  img.name = "n";
  img.checksum = "c";
  img.owner = "o";
  img.size = 5;
  img.status = common::ImageStatus::active;
  img.properties = {{"a", "1"}, {"b", "2"}};
  img.locations = {ImageLocation{1, "file:///x"}};
  return img;
}

ImageFields matching_fields() {
  ImageFields f;
  f.id = "id";
  f.name = std::optional<std::string>("n");
  f.checksum = std::optional<std::string>("c");
  f.owner = std::optional<std::string>("o");
  f.size = std::optional<int64_t>(5);
  f.status = common::ImageStatus::active;
  f.properties = common::ImageProperties{{"a", "1"}};
  f.locations = std::vector<ImageLocation>{ImageLocation{std::nullopt, "file:///x"}};
  f.created_at = std::optional<std::string>("2001-01-01T00:00:00.000000");
  return f;
}

TEST(ImageHolds, StoredImageWithEveryGivenValueHoldsIt) {
  EXPECT_TRUE(image_holds(stored_image(), matching_fields(), false));
  EXPECT_TRUE(image_holds(stored_image(), ImageFields{}, false));
}

TEST(ImageHolds, AnyDifferingColumnDoesNot) {
  auto f = matching_fields();
  f.name = std::optional<std::string>("");
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  f = matching_fields();
  f.owner = std::optional<std::string>();  // explicit null
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  f = matching_fields();
  f.status = common::ImageStatus::saving;
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  f = matching_fields();
  f.size = std::optional<int64_t>(6);
  EXPECT_FALSE(image_holds(stored_image(), f, false));
}

TEST(ImageHolds, PropertiesAreASubsetUnlessPurged) {
  auto f = matching_fields();
  EXPECT_FALSE(image_holds(stored_image(), f, true));  // b would have been purged
  f.properties = common::ImageProperties{{"a", "1"}, {"b", "2"}};
  EXPECT_TRUE(image_holds(stored_image(), f, true));
  f.properties = common::ImageProperties{{"a", "other"}};
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  f.properties = common::ImageProperties{{"missing", "1"}};
  EXPECT_FALSE(image_holds(stored_image(), f, false));
}

TEST(ImageHolds, LiveLocationsMustBeExactlyTheGivenOnes) {
  auto f = matching_fields();
  f.locations = std::vector<ImageLocation>{};
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  f.locations = std::vector<ImageLocation>{ImageLocation{std::nullopt, "file:///x"},
                                           ImageLocation{std::nullopt, "file:///y"}};
  EXPECT_FALSE(image_holds(stored_image(), f, false));
  ImageLocation going{std::nullopt, "file:///y"};
  going.status = "pending_delete";
  f.locations = std::vector<ImageLocation>{ImageLocation{std::nullopt, "file:///x"}, going};
  EXPECT_TRUE(image_holds(stored_image(), f, false));
}

TEST(MembershipMatch, AddedRemovedReplaced) {
  std::vector<Membership> stored{{"t1", false}, {"t2", true}};
  EXPECT_TRUE(membership_added(stored, "t2", true));
  EXPECT_TRUE(membership_added(stored, "t1", std::nullopt));
  EXPECT_FALSE(membership_added(stored, "t1", true));
  EXPECT_FALSE(membership_added(stored, "t3", std::nullopt));
  EXPECT_TRUE(membership_removed(stored, "t3"));
  EXPECT_FALSE(membership_removed(stored, "t1"));
  EXPECT_TRUE(memberships_replaced(stored, {{"t1", std::nullopt}, {"t2", true}}));
  EXPECT_FALSE(memberships_replaced(stored, {{"t1", std::nullopt}}));
  EXPECT_FALSE(memberships_replaced(stored, {{"t1", true}, {"t2", true}}));
  EXPECT_TRUE(memberships_replaced({}, {}));
}

}  // namespace
}  // namespace glance::registry
