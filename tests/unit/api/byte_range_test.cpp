#include "api/byte_range.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

using Kind = RangeAnswer::Kind;

RangeAnswer answer(const char* header, uint64_t size = 1000) {
  return answer_range(std::optional<std::string_view>(header), size);
}

void expect_partial(const RangeAnswer& a, uint64_t offset, uint64_t length) {
  EXPECT_EQ(a.kind, Kind::partial);
  EXPECT_EQ(a.offset, offset);
  EXPECT_EQ(a.length, length);
}

TEST(ByteRange, NoHeaderIsTheWholeImage) {
  EXPECT_EQ(answer_range(std::nullopt, 1000).kind, Kind::whole);
}

TEST(ByteRange, FirstLastAndMiddleBytes) {
  expect_partial(answer("bytes=0-0"), 0, 1);
  expect_partial(answer("bytes=999-999"), 999, 1);
  expect_partial(answer("bytes=100-199"), 100, 100);
  expect_partial(answer(" bytes=0-999 "), 0, 1000);
}

TEST(ByteRange, LastPositionPastTheEndIsClamped) {
  expect_partial(answer("bytes=900-5000"), 900, 100);
}

TEST(ByteRange, OpenEndedAndSuffix) {
  expect_partial(answer("bytes=990-"), 990, 10);
  expect_partial(answer("bytes=-10"), 990, 10);
  expect_partial(answer("bytes=-5000"), 0, 1000);
}

TEST(ByteRange, StartAtOrPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(answer("bytes=1000-").kind, Kind::unsatisfiable);
  EXPECT_EQ(answer("bytes=1000-1001").kind, Kind::unsatisfiable);
  EXPECT_EQ(answer("bytes=-0").kind, Kind::unsatisfiable);
  EXPECT_EQ(answer("bytes=0-", 0).kind, Kind::unsatisfiable);
  EXPECT_EQ(answer("bytes=-1", 0).kind, Kind::unsatisfiable);
}

TEST(ByteRange, WhatWeDoNotServeIsIgnored) {
  for (const char* h :
       {"bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=-", "bytes=1", "bytes=+1-2",
        "bytes=-+3", "bytes=99999999999999999999-", "", "bytes="})
    EXPECT_EQ(answer(h).kind, Kind::whole) << h;
}

TEST(ByteRange, ContentRangeNamesFirstAndLastByte) {
  EXPECT_EQ(content_range(answer("bytes=100-199"), 1000), "bytes 100-199/1000");
  EXPECT_EQ(content_range(answer("bytes=-1"), 1000), "bytes 999-999/1000");
}

}  // namespace
}  // namespace glance::api
