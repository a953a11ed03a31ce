// The names remote stores give an upload's objects: a fresh tag per upload, and which names
// belong to an image's uploads and which to another image's.

#include "store/upload_name.h"

#include <gtest/gtest.h>

#include <set>

namespace glance::store {
namespace {

const std::string kId = "0b3c1c33-1e7a-4b5e-9a0e-7a2b1c9d8e7f";

TEST(UploadName, IsTheIdATagOfTwelveHexDigitsFreshEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto name = upload_name(kId);
    ASSERT_EQ(name.size(), kId.size() + 13) << name;
    EXPECT_TRUE(name.starts_with(kId + "-")) << name;
    EXPECT_TRUE(is_upload_name(name, kId)) << name;
    seen.insert(name);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(UploadName, TheBareIdAndUploadNamesHoldTheImagesData) {
  EXPECT_TRUE(is_upload_name(kId, kId));
  EXPECT_TRUE(is_upload_name(kId + "-0123456789ab", kId));
  for (const std::string& other :
       {kId + "-0123456789a", kId + "-0123456789abc", kId + "-0123456789AB",
        kId + "-0123456789ab-00001", kId + "0123456789ab", kId + "-", kId.substr(1), std::string(),
        kId + "-more-0123456789ab"})
    EXPECT_FALSE(is_upload_name(other, kId)) << other;
}

TEST(UploadName, SegmentsAreUploadObjectsButNotUploadNames) {
  EXPECT_TRUE(is_upload_object(kId, kId));
  EXPECT_TRUE(is_upload_object(kId + "-0123456789ab", kId));
  EXPECT_TRUE(is_upload_object(kId + "-0123456789ab-00001", kId));
  EXPECT_TRUE(is_upload_object(kId + "-0123456789ab-123456", kId));
  for (const std::string& other :
       {kId + "-0123456789ab-", kId + "-0123456789ab-0001x", kId + "-0123456789ab-00001-",
        kId + "-00001", kId + "-0123456789a-00001", kId + "-more-0123456789ab",
        // An image whose id starts with this one's, and its uploads.
        kId + "-0123456789ab-fedcba987654", kId + "x-0123456789ab", std::string("x") + kId})
    EXPECT_FALSE(is_upload_object(other, kId)) << other;
}

TEST(LocationNamesUploadOf, TheLastSegmentOrAnRbdImageIsTheImagesOwnUpload) {
  const std::string tagged = kId + "-0123456789ab";
  for (const std::string& url :
       {"file:///var/lib/glance/images/" + kId, "file:///var/lib/glance/images/" + tagged,
        "swift+https://acct:key@swift.example/v1/glance/" + tagged + "?x=1",
        "s3://key:secret@s3.example/bucket/" + tagged, "rbd://fsid/images/" + tagged + "/snap",
        "rbd://" + tagged, "RBD://fsid/images/" + kId + "/snap"})
    EXPECT_TRUE(location_names_upload_of(url, kId)) << url;
}

TEST(LocationNamesUploadOf, AnotherImagesOrAClientsDataIsNot) {
  const std::string other = "1b3c1c33-1e7a-4b5e-9a0e-7a2b1c9d8e7f";
  for (const std::string& url :
       {"file:///var/lib/glance/images/" + other, "file:///var/lib/glance/images/" + kId + "/x",
        "file:///var/lib/glance/images/" + kId + "-0123456789ab-00001",
        "http://example.com/" + kId + "-x", "swift://h/v1/glance/" + kId + "-0123456789AB",
        "rbd://fsid/" + kId + "/other/snap", "s3://h/bucket/" + kId + "/", std::string(),
        std::string("rbd://"), std::string("no-scheme/") + other})
    EXPECT_FALSE(location_names_upload_of(url, kId)) << url;
  // A query or fragment is not part of the name.
  EXPECT_TRUE(location_names_upload_of("file:///d/" + kId + "#frag", kId));
}

TEST(LocationObjectNames, TheLastSegmentAndAnRbdUrlsImage) {
  using Names = std::vector<std::string_view>;
  EXPECT_EQ(location_object_names("file:///var/lib/glance/images/abc?x#y"), Names{"abc"});
  EXPECT_EQ(location_object_names("swift://h/v1/c/obj/"), Names{""});
  EXPECT_EQ(location_object_names("rbd://fsid/pool/img/snap"), (Names{"snap", "img"}));
  EXPECT_EQ(location_object_names("RBD://fsid/pool/img/snap"), (Names{"snap", "img"}));
  EXPECT_EQ(location_object_names("rbd://img"), Names{"img"});
  EXPECT_EQ(location_object_names("http://h/pool/img/snap"), Names{"snap"});
  EXPECT_EQ(location_object_names(""), Names{""});
}

TEST(UploadName, TheIdOfATaggedNameIsWhatPrecedesTheTag) {
  EXPECT_EQ(upload_name_id(upload_name(kId)), kId);
  EXPECT_EQ(upload_name_id(kId + "-0123456789ab"), kId);
  EXPECT_EQ(upload_name_id("x-0123456789ab"), "x");
  // A UUID's last group is 12 hex digits too: its name splits, into what is no UUID.
  EXPECT_EQ(upload_name_id(kId), kId.substr(0, 23));
  // Segments, wrong tags and a tag alone name no upload.
  for (const std::string& other :
       {kId + "-0123456789ab-00001", kId + "-0123456789a", kId + "-0123456789AB",
        kId + "0123456789ab", std::string("-0123456789ab"), std::string("0123456789ab"),
        std::string()})
    EXPECT_EQ(upload_name_id(other), std::nullopt) << other;
}

}  // namespace
}  // namespace glance::store
