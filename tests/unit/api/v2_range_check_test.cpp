#include "api/v2/range_check.h"

#include <gtest/gtest.h>

namespace glance::api::v2 {
namespace {

using Kind = RangeRefusal::Kind;

std::optional<RangeRefusal> check(const char* header, uint64_t size = 1000) {
  return refuse_range(std::optional<std::string_view>(header), size);
}

void expect_invalid(const char* header) {
  auto r = check(header);
  ASSERT_TRUE(r) << header;
  EXPECT_EQ(r->kind, Kind::unsatisfiable) << header;
  EXPECT_EQ(r->message, "Invalid Range header.") << header;
}

// WebOb matches the range at the start of the value only: text after it is ignored.
TEST(V2RangeCheck, NoHeaderAndServableRangesPass) {
  EXPECT_FALSE(refuse_range(std::nullopt, 1000));
  for (const char* ok : {"bytes=0-0", "bytes=0-999", "bytes=999-", "bytes=5-99999", "bytes=-1",
                         "bytes=-5000", "BYTES=1-2", "bytes = 1 - 2", "bytes=3-3", "bytes=1--2"})
    EXPECT_FALSE(check(ok)) << ok;
}

TEST(V2RangeCheck, SeveralRangesAreRefusedWhateverTheirForm) {
  for (const char* multi : {"bytes=0-1,5-6", ",", "bytes=0-1,", "junk,junk"}) {
    auto r = check(multi);
    ASSERT_TRUE(r) << multi;
    EXPECT_EQ(r->kind, Kind::multiple);
    EXPECT_EQ(r->message,
              "Requests with multiple ranges are not supported in Glance. You may make multiple "
              "single-range requests instead.");
  }
}

TEST(V2RangeCheck, WhatDoesNotParseOrIsReversedIsUnsatisfiable) {
  for (const char* bad :
       {"", "bytes", "bytes=", "bytes=-", "bytes=1", "bytes=a-b", "lines=0-1", " bytes=0-1",
        "bytes=9-5", "bytes:0-1", "byte=0-1", "bytes=+1-2", "bytes=\xff-1"})
    expect_invalid(bad);
}

TEST(V2RangeCheck, AFirstPositionAtOrPastTheEndNamesTheLastOne) {
  for (const char* past : {"bytes=1000-", "bytes=1000-2000", "bytes=99999999999999999999999-"}) {
    auto r = check(past);
    ASSERT_TRUE(r) << past;
    EXPECT_EQ(r->kind, Kind::unsatisfiable);
    EXPECT_EQ(r->message,
              "Invalid start position in Range header. Start position MUST be in the inclusive "
              "range [0, 999].");
  }
  EXPECT_FALSE(check("bytes=0-", 1));
  EXPECT_TRUE(check("bytes=1-", 1));
}

}  // namespace
}  // namespace glance::api::v2
