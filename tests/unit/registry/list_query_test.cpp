#include "registry/list_query.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

Result<ListQuery> parse(const std::string& qs, bool admin = true) {
  return parse_list_query(*common::http::parse_query(qs), 25, 1000, admin);
}

std::string error_of(const std::string& qs) {
  auto q = parse(qs);
  return q ? "" : q.error().message();
}

TEST(ListQuery, Defaults) {
  auto q = parse("");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->limit, 25);
  EXPECT_EQ(q->sort_key, "created_at");
  EXPECT_FALSE(q->sort_ascending);
  EXPECT_EQ(q->is_public, PublicFilter::unset);
}

TEST(ListQuery, LimitIsValidatedAndCapped) {
  EXPECT_EQ(parse("limit=2000")->limit, 1000);
  EXPECT_EQ(parse("limit=0")->limit, 0);
  EXPECT_EQ(error_of("limit=abc"), "limit param must be an integer");
  EXPECT_EQ(error_of("limit=-1"), "limit param must be positive");
}

TEST(ListQuery, MarkerSortAndDirection) {
  EXPECT_EQ(error_of("marker=nope"), "Invalid marker format");
  EXPECT_TRUE(parse("marker=0e7c0c2e-0000-4000-8000-000000000001"));
  EXPECT_NE(error_of("sort_key=foo").find("Unsupported sort_key"), std::string::npos);
  EXPECT_NE(error_of("sort_dir=up").find("Unsupported sort_dir"), std::string::npos);
  EXPECT_NE(error_of("sort_dir=ASC").find("Unsupported sort_dir"), std::string::npos);
  auto q = parse("sort_key=name&sort_dir=asc");
  EXPECT_EQ(q->sort_key, "name");
  EXPECT_TRUE(q->sort_ascending);
}

TEST(ListQuery, PublicDeletedProtected) {
  EXPECT_EQ(parse("is_public=None")->is_public, PublicFilter::all);
  EXPECT_EQ(parse("is_public=0")->is_public, PublicFilter::only_private);
  EXPECT_EQ(error_of("is_public=public"), "is_public must be None, True, or False");
  // Only an admin's is_public is read; anyone else's is ignored, even when unreadable.
  for (const char* v : {"public", "None", "0", ""}) {
    auto user = parse(std::string("is_public=") + v, false);
    ASSERT_TRUE(user) << v;
    EXPECT_EQ(user->is_public, PublicFilter::unset) << v;
  }
  EXPECT_EQ(error_of("is_public=&protected=none"), "is_public must be None, True, or False");
  EXPECT_EQ(parse("is_public=public&protected=none", false).error().message(),
            "protected must be True, or False");
  EXPECT_EQ(parse("protected=TRUE")->is_protected, true);
  EXPECT_EQ(error_of("protected=maybe"), "protected must be True, or False");
  EXPECT_EQ(error_of("protected="), "protected must be True, or False");
  EXPECT_EQ(error_of("protected=none"), "protected must be True, or False");
  EXPECT_EQ(parse("deleted=yes")->deleted, true);
}

TEST(ListQuery, NumericFilters) {
  EXPECT_EQ(error_of("size_min=-1"), "Bad value passed to filter size_min got -1");
  EXPECT_EQ(error_of("size_max=abc"), "Bad value passed to filter size_max got abc");
  EXPECT_EQ(error_of("min_ram=x"), "Bad value passed to filter min_ram got x");
  EXPECT_EQ(error_of("min_disk=1.5"), "Bad value passed to filter min_disk got 1.5");
  auto q = parse("size_min=1&size_max=10&min_ram=512");
  EXPECT_EQ(q->size_min, 1);
  EXPECT_EQ(q->size_max, 10);
  EXPECT_EQ(q->min_ram, 512);
}

TEST(ListQuery, ChangesSince) {
  EXPECT_EQ(error_of("changes-since=bad"), "Unrecognized changes-since value");
  EXPECT_EQ(parse("changes-since=2018-01-01T00:00:00%2B01:00")->changes_since,
            "2017-12-31 23:00:00.000000");
}

TEST(ListQuery, MatchFiltersAndOperators) {
  auto q = parse("name=cirros&status=in:active,queued&disk_format=eq:raw");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->matches.size(), 3u);
  EXPECT_EQ(q->matches[0].values, std::vector<std::string>{"cirros"});
  EXPECT_EQ(q->matches[1].values, (std::vector<std::string>{"active", "queued"}));
  EXPECT_EQ(q->matches[2].values, std::vector<std::string>{"raw"});
  auto quoted = parse("name=in:a,%22b,c%22");
  EXPECT_EQ(quoted->matches[0].values, (std::vector<std::string>{"a", "b,c"}));
  EXPECT_EQ(parse("name=2018-01-01T00:00:00")->matches[0].values,
            std::vector<std::string>{"2018-01-01T00:00:00"});
  EXPECT_NE(error_of("name=gt:x").find("Invalid operator"), std::string::npos);
}

TEST(ListQuery, PropertyFiltersKeepTheirCase) {
  auto q = parse("property-OS_Distro=ubuntu&property-a=1&foo=bar");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->properties.size(), 2u);
  EXPECT_EQ(q->properties[0].first, "OS_Distro");
}

}  // namespace
}  // namespace glance::registry
