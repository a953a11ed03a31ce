#include "common/http/query_string.h"

#include <gtest/gtest.h>

namespace glance::common::http {
namespace {

TEST(QueryString, DecodesFormEncoding) {
  auto q = parse_query("a=1&b=x+y&c=%2B01%3A00&flag&=v");
  ASSERT_TRUE(q);
  EXPECT_EQ(find_param(*q, "a"), "1");
  EXPECT_EQ(find_param(*q, "b"), "x y");
  EXPECT_EQ(find_param(*q, "c"), "+01:00");
  EXPECT_EQ(find_param(*q, "flag"), "");
  EXPECT_FALSE(find_param(*q, "missing"));
}

TEST(QueryString, RefusesMalformedEscapes) {
  EXPECT_FALSE(parse_query("a=%2"));
  EXPECT_FALSE(parse_query("a=%zz"));
  EXPECT_FALSE(percent_decode("%"));
}

TEST(QueryString, RefusesNamesAndValuesThatAreNotUtf8) {
  EXPECT_FALSE(parse_query("name=%FF"));
  EXPECT_FALSE(parse_query("name=a\xff"));
  EXPECT_FALSE(parse_query("property-%C3=x"));
  EXPECT_FALSE(parse_query("limit=5&marker=%ED%A0%80"));  // an encoded surrogate
  auto ok = parse_query("name=%C3%BCn%C3%AF&property-os=%F0%9F%98%80");
  ASSERT_TRUE(ok);
  EXPECT_EQ(find_param(*ok, "name"), "ünï");
  // A path or listing may still decode bytes that are not text: only queries are checked.
  EXPECT_EQ(percent_decode("%FF"), std::optional<std::string>("\xff"));
}

TEST(QueryString, EncodesRoundTrip) {
  QueryParams p{{"property-os distro", "a&b=c"}, {"limit", "5"}};
  auto back = parse_query(encode_query(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
}

}  // namespace
}  // namespace glance::common::http
