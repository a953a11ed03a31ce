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

TEST(QueryString, EncodesRoundTrip) {
  QueryParams p{{"property-os distro", "a&b=c"}, {"limit", "5"}};
  auto back = parse_query(encode_query(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
}

}  // namespace
}  // namespace glance::common::http
