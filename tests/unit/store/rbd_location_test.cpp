#include "store/rbd/rbd_location.h"

#include <gtest/gtest.h>

#include <string>

namespace glance::store {
namespace {

TEST(RbdLocation, WritesTheFourPartFormAsUpstream) {
  RbdLocation where{"3a1e8c3e-1b1d-4d6c-9f51-8a9a3b9d6e21", "images",
                    "0bd1c6f4-8c8a-4a2b-9a0e-0f1e2d3c4b5a", "snap"};
  EXPECT_EQ(where.uri(),
            "rbd://3a1e8c3e-1b1d-4d6c-9f51-8a9a3b9d6e21/images/"
            "0bd1c6f4-8c8a-4a2b-9a0e-0f1e2d3c4b5a/snap");
  EXPECT_EQ(RbdLocation::parse(where.uri()).value(), where);
}

TEST(RbdLocation, QuotesEveryPartLikePythonsQuoteWithNoSafeCharacters) {
  RbdLocation where{"f/s", "my pool", "a/b@c", "sn~ap_1.x-y"};
  EXPECT_EQ(where.uri(), "rbd://f%2Fs/my%20pool/a%2Fb%40c/sn~ap_1.x-y");
  EXPECT_EQ(RbdLocation::parse(where.uri()).value(), where);
}

TEST(RbdLocation, ReadsQuotedPartsAndKeepsStrayPercentSigns) {
  auto where = RbdLocation::parse("rbd://fs%2Did/po%6Fl/im%zzg/s%4");
  ASSERT_TRUE(where) << where.error().message();
  EXPECT_EQ(where->fsid, "fs-id");
  EXPECT_EQ(where->pool, "pool");
  EXPECT_EQ(where->image, "im%zzg");
  EXPECT_EQ(where->snapshot, "s%4");
}

TEST(RbdLocation, ReadsTheOldImageOnlyFormUndecoded) {
  auto where = RbdLocation::parse("rbd://0bd1c6f4%20x");
  ASSERT_TRUE(where) << where.error().message();
  EXPECT_EQ(where->image, "0bd1c6f4%20x");
  EXPECT_TRUE(where->fsid.empty());
  EXPECT_TRUE(where->pool.empty());
  EXPECT_TRUE(where->snapshot.empty());
  EXPECT_EQ(where->uri(), "rbd://0bd1c6f4%20x");
}

TEST(RbdLocation, RefusesWhatUpstreamRefuses) {
  for (const char* uri :
       {"rbd://", "rbd://a/b", "rbd://a/b/c", "rbd://a/b/c/d/e", "rbd://a//c/d", "rbd://a/b/c/",
        "rbd:///b/c/d", "file:///a", "RBD://a/b/c/d", "rbd:/a", "rbd://a/b/c%00/d"})
    EXPECT_FALSE(RbdLocation::parse(uri)) << uri;
}

}  // namespace
}  // namespace glance::store
