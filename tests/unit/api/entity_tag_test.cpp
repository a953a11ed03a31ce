#include "api/entity_tag.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

constexpr std::string_view kTag = "d41d8cd98f00b204e9800998ecf8427e";

TEST(EntityTag, MatchesQuotedBareWeakAndStar) {
  EXPECT_TRUE(if_none_match_matches("d41d8cd98f00b204e9800998ecf8427e", kTag));
  EXPECT_TRUE(if_none_match_matches("\"d41d8cd98f00b204e9800998ecf8427e\"", kTag));
  EXPECT_TRUE(if_none_match_matches("W/\"d41d8cd98f00b204e9800998ecf8427e\"", kTag));
  EXPECT_TRUE(if_none_match_matches("\"x\", \"d41d8cd98f00b204e9800998ecf8427e\"", kTag));
  EXPECT_TRUE(if_none_match_matches(" * ", kTag));
  EXPECT_TRUE(if_none_match_matches("*", ""));
}

TEST(EntityTag, OtherTagsAndNoTagDoNotMatch) {
  EXPECT_FALSE(if_none_match_matches("\"0123\"", kTag));
  EXPECT_FALSE(if_none_match_matches("d41d8cd98f00b204e9800998ecf8427", kTag));
  EXPECT_FALSE(if_none_match_matches("", kTag));
  EXPECT_FALSE(if_none_match_matches("\"\"", ""));
}

}  // namespace
}  // namespace glance::api
