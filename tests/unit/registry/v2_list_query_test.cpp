#include "registry/list_query.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

Result<ListQuery> parse(common::http::QueryParams params) {
  return parse_v2_list_query(params, 25, 1000);
}

TEST(V2ListQuery, DefaultsAreUpstreams) {
  auto q = parse({});
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->v2);
  EXPECT_EQ(q->limit, 25);
  EXPECT_EQ(q->v2->member_status, "accepted");
  EXPECT_FALSE(q->v2->os_hidden);
  EXPECT_EQ(q->deleted, false);
  using Order = std::vector<std::pair<std::string, bool>>;
  EXPECT_EQ(q->v2->sort, (Order{{"created_at", false}, {"id", false}}));
}

TEST(V2ListQuery, SortSyntaxesAndTieBreakers) {
  using Order = std::vector<std::pair<std::string, bool>>;
  auto q = parse({{"sort", "name:asc, size"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->v2->sort,
            (Order{{"name", true}, {"size", false}, {"created_at", false}, {"id", false}}));
  q = parse({{"sort_key", "name"}, {"sort_key", "id"}, {"sort_dir", "asc"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->v2->sort, (Order{{"name", true}, {"id", true}, {"created_at", true}}));
  EXPECT_FALSE(parse({{"sort", "name:up"}}));
  EXPECT_FALSE(parse({{"sort", ""}}));
  EXPECT_FALSE(parse({{"sort", "name"}, {"sort_dir", "asc"}}));
  EXPECT_FALSE(parse({{"sort_key", "owner"}}));
}

TEST(V2ListQuery, UnknownKeysArePropertiesAndColumnsMatchExactly) {
  auto q = parse({{"os_distro", "ubuntu"}, {"owner", "t1"}, {"min_ram", "512"}});
  ASSERT_TRUE(q);
  ASSERT_EQ(q->properties.size(), 1u);
  EXPECT_EQ(q->properties[0].first, "os_distro");
  EXPECT_EQ(q->v2->columns.size(), 2u);
}

TEST(V2ListQuery, InListsKeepQuotedCommas) {
  auto q = parse({{"name", "in:a,\"b,c\",d"}});
  ASSERT_TRUE(q);
  ASSERT_EQ(q->matches.size(), 1u);
  EXPECT_EQ(q->matches[0].values, (std::vector<std::string>{"a", "b,c", "d"}));
  EXPECT_FALSE(parse({{"name", "in:\"a"}}));
  EXPECT_FALSE(parse({{"status", "like:active"}}));
}

TEST(V2ListQuery, TimeFiltersTakeOperatorsOrAPlainTime) {
  auto q = parse({{"created_at", "2020-01-02T03:04:05Z"}, {"updated_at", "gte:2020-01-02"}});
  ASSERT_TRUE(q);
  ASSERT_EQ(q->v2->times.size(), 2u);
  EXPECT_EQ(q->v2->times[0].op, "=");
  EXPECT_EQ(q->v2->times[1].op, ">=");
  EXPECT_FALSE(parse({{"created_at", "between:2020-01-02"}}));
  EXPECT_FALSE(parse({{"created_at", "lt:soon"}}));
}

TEST(V2ListQuery, RepeatedTagsAllCountOtherKeysTakeTheirLastValue) {
  auto q = parse({{"tag", " a "}, {"tag", "b"}, {"limit", "5"}, {"limit", "7"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->v2->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q->limit, 7);
  q = parse({{"limit", "5000"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->limit, 1000);
}

}  // namespace
}  // namespace glance::registry
