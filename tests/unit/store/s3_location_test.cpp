#include "store/s3/s3_store.h"

#include <gtest/gtest.h>

#include <string>

namespace glance::store {
namespace {

TEST(S3Location, ParsesCredentialsHostBucketAndKey) {
  auto location = parse_s3_location("s3+https://AK:se%2Fcret@s3.example.com:9000/images/abc-1");
  ASSERT_TRUE(location) << location.error().message();
  EXPECT_TRUE(location->tls);
  EXPECT_EQ(location->access_key, "AK");
  EXPECT_EQ(location->secret_key, "se/cret");
  EXPECT_EQ(location->host, "s3.example.com:9000");
  EXPECT_EQ(location->bucket, "images");
  EXPECT_EQ(location->key, "abc-1");
  EXPECT_EQ(parse_s3_location(s3_location_uri(*location)).value(), *location);
}

// Found by the s3_location fuzz target: a secret without an access key was dropped when the
// location was written, so it read back as another location.
TEST(S3Location, ASecretWithoutAnAccessKeyRoundTrips) {
  const std::string uri =
      "s3://:AAsIKec:et@s3.example.co\xEC/bucke=/71c64f4-9cd-a11\x14-e124=0b328d9";
  auto location = parse_s3_location(uri);
  ASSERT_TRUE(location) << location.error().message();
  EXPECT_EQ(location->access_key, "");
  EXPECT_EQ(location->secret_key, "AAsIKec:et");
  auto again = parse_s3_location(s3_location_uri(*location));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, *location);
}

TEST(S3Location, RefusesWhatIsNotAnS3Location) {
  for (const char* uri : {"http://h/b/k", "s3://h/k", "s3://key@h/b/k", "s3://a:b@https://h/b/k",
                          "s3://h//k", "s3://h/b/", "no uri"})
    EXPECT_FALSE(parse_s3_location(uri)) << uri;
}

}  // namespace
}  // namespace glance::store
