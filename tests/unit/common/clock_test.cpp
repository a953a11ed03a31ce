#include "common/clock.h"

#include <gtest/gtest.h>

namespace glance::common {
namespace {

TEST(Clock, FormatsWithSixFractionalDigitsAndNoZone) {
  auto tp = parse_iso8601("2018-02-28T10:11:12.5Z");
  ASSERT_TRUE(tp);
  EXPECT_EQ(format_timestamp(*tp), "2018-02-28T10:11:12.500000");
  EXPECT_EQ(timestamp_to_sql(*tp), "2018-02-28 10:11:12.500000");
}

TEST(Clock, AppliesOffsetsToUtc) {
  auto tp = parse_iso8601("2018-02-28T10:11:12+01:00");
  ASSERT_TRUE(tp);
  EXPECT_EQ(format_timestamp(*tp), "2018-02-28T09:11:12.000000");
  EXPECT_EQ(format_timestamp(*parse_iso8601("2018-02-28 10:11:12-0230")),
            "2018-02-28T12:41:12.000000");
}

TEST(Clock, AcceptsDateOnlyAndMinutes) {
  EXPECT_EQ(format_timestamp(*parse_iso8601("2020-01-02")), "2020-01-02T00:00:00.000000");
  EXPECT_EQ(format_timestamp(*parse_iso8601("2020-01-02T03:04")), "2020-01-02T03:04:00.000000");
}

TEST(Clock, RefusesGarbageAndYearsBefore1900) {
  for (const char* bad : {"", "-42", "foo", "1899-12-31T00:00:00", "2018-13-01",
                          "2018-02-28T10:11:12garbage", "2018-02-28T25:00:00"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
}

TEST(Clock, ConvertsSqlDatetimes) {
  EXPECT_EQ(timestamp_from_sql("2018-02-28 10:11:12.123456"), "2018-02-28T10:11:12.123456");
  EXPECT_EQ(timestamp_from_sql("2018-02-28 10:11:12"), "2018-02-28T10:11:12.000000");
}

}  // namespace
}  // namespace glance::common
