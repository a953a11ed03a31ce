#include "registry/image_access.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

common::RequestContext tenant(std::string t, bool admin = false) {
  common::RequestContext c;
  c.tenant = std::move(t);
  c.is_admin = admin;
  return c;
}

common::Image image(std::optional<std::string> owner, std::string visibility) {
  common::Image i;
  i.owner = std::move(owner);
  i.visibility = std::move(visibility);
  i.is_public = i.visibility == "public";
  return i;
}

TEST(ImageAccess, VisibilityRules) {
  auto priv = image("t1", "shared");
  EXPECT_TRUE(is_visible(tenant("t1"), priv, false));
  EXPECT_FALSE(is_visible(tenant("t2"), priv, false));
  EXPECT_TRUE(needs_membership(tenant("t2"), priv));
  EXPECT_TRUE(is_visible(tenant("t2"), priv, true));
  EXPECT_TRUE(is_visible(tenant("t3", true), priv, false));
  EXPECT_TRUE(is_visible(tenant("t2"), image("t1", "public"), false));
  EXPECT_TRUE(is_visible(tenant("t2"), image("t1", "community"), false));
  // private visibility ignores memberships
  EXPECT_FALSE(is_visible(tenant("t2"), image("t1", "private"), true));
  // upstream quirk: ownerless images are visible by id
  EXPECT_TRUE(is_visible(tenant("t2"), image(std::nullopt, "shared"), false));
}

TEST(ImageAccess, DeletedImagesAreOnlyForAdmins) {
  auto gone = image("t1", "public");
  gone.deleted = true;
  EXPECT_FALSE(is_visible(tenant("t1"), gone, false));
  EXPECT_TRUE(is_visible(tenant("x", true), gone, false));
}

TEST(ImageAccess, ModifyRules) {
  EXPECT_TRUE(check_can_modify(tenant("t1"), image("t1", "shared")));
  EXPECT_TRUE(check_can_modify(tenant("x", true), image("t1", "shared")));
  EXPECT_EQ(check_can_modify(tenant("t2"), image("t1", "public")).error().code(),
            common::Errc::forbidden);
  EXPECT_EQ(check_can_modify(tenant("t2"), image("t1", "shared")).error().code(),
            common::Errc::not_found);
  EXPECT_EQ(check_can_modify(tenant("t2"), image(std::nullopt, "shared")).error().code(),
            common::Errc::not_found);
}

}  // namespace
}  // namespace glance::registry
