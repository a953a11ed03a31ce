#include "registry/scrub_request.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

TEST(ScrubLease, OneSecondToADay) {
  EXPECT_EQ(parse_scrub_lease(R"({"lease": 1})").value(), std::chrono::seconds(1));
  EXPECT_EQ(parse_scrub_lease(R"({"lease": 86400, "other": true})").value(),
            std::chrono::seconds(86400));
  for (const char* bad :
       {R"({"lease": 0})", R"({"lease": -5})", R"({"lease": 86401})",
        R"({"lease": 18446744073709551615})", R"({"lease": 1.5})", R"({"lease": "60"})",
        R"({"lease": null})", R"({})", "[]", "60", "", "{", R"({"lease": true})"}) {
    auto lease = parse_scrub_lease(bad);
    ASSERT_FALSE(lease) << bad;
    EXPECT_EQ(lease.error().code(), common::Errc::bad_request) << bad;
  }
}

TEST(ScrubbedLocations, AListOfIntegerIds) {
  EXPECT_EQ(parse_scrubbed_locations(R"({"locations": []})").value(), std::vector<int64_t>{});
  EXPECT_EQ(parse_scrubbed_locations(R"({"locations": [3, 1, 2]})").value(),
            (std::vector<int64_t>{3, 1, 2}));
  for (const char* bad :
       {R"({"locations": ["1"]})", R"({"locations": [1.0]})", R"({"locations": [null]})",
        R"({"locations": [9223372036854775808]})", R"({"locations": 1})",
        R"({"locations": {"1": 1}})", R"({})", "[1]", "", "nonsense"}) {
    auto ids = parse_scrubbed_locations(bad);
    ASSERT_FALSE(ids) << bad;
    EXPECT_EQ(ids.error().code(), common::Errc::bad_request) << bad;
  }
}

TEST(ScrubbedLocations, RefusesAnEndlessList) {
  std::string body = R"({"locations": [)";
  for (int i = 0; i < 10001; ++i) body += (i ? ",1" : "1");
  body += "]}";
  EXPECT_FALSE(parse_scrubbed_locations(body));
}

TEST(LocationId, IsAPositiveDecimalBelowTwoToThe63) {
  EXPECT_EQ(*parse_location_id("1"), 1);
  EXPECT_EQ(*parse_location_id("000042"), 42);
  EXPECT_EQ(*parse_location_id("999999999999999999"), 999999999999999999);
  for (const char* bad : {"", "0", "-1", "+1", "1e3", " 1", "1 ", "0x10", "abc",
                          "9223372036854775808", "1234567890123456789"}) {
    auto id = parse_location_id(bad);
    ASSERT_FALSE(id) << bad;
    EXPECT_EQ(id.error().code(), common::Errc::not_found) << bad;
  }
}

TEST(LocationScrubbed, IsABooleanAndNothingElse) {
  EXPECT_EQ(*parse_location_scrubbed(R"({"scrubbed": true})"), true);
  EXPECT_EQ(*parse_location_scrubbed(R"({"scrubbed": false, "x": 1})"), false);
  for (const char* bad : {R"({"scrubbed": 1})", R"({"scrubbed": "true"})", R"({"scrubbed": null})",
                          R"({})", "[true]", "true", "", "{"}) {
    auto scrubbed = parse_location_scrubbed(bad);
    ASSERT_FALSE(scrubbed) << bad;
    EXPECT_EQ(scrubbed.error().code(), common::Errc::bad_request) << bad;
  }
}

TEST(LocationPage, MarkerAndLimitWithinBounds) {
  auto page = parse_location_page({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->after, 0);
  EXPECT_EQ(page->limit, 1000);
  page = parse_location_page({{"marker", "17"}, {"limit", "5"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->after, 17);
  EXPECT_EQ(page->limit, 5);
  for (auto [key, value] : common::http::QueryParams{{"limit", "0"},
                                                     {"limit", "1001"},
                                                     {"limit", "-1"},
                                                     {"limit", ""},
                                                     {"marker", "-1"},
                                                     {"marker", "x"},
                                                     {"marker", "99999999999999999999"}}) {
    auto refused = parse_location_page({{key, value}});
    ASSERT_FALSE(refused) << key << "=" << value;
    EXPECT_EQ(refused.error().code(), common::Errc::bad_request) << key << "=" << value;
  }
}

}  // namespace
}  // namespace glance::registry
