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

}  // namespace
}  // namespace glance::registry
