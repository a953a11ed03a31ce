#include "registry/db/location_use.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

using common::ImageLocation;

TEST(CopyInUse, GoesToTheLocationsWithTheSameUrlOnly) {
  std::vector<ImageLocation> answered = {{int64_t{1}, "file:///a"}, {int64_t{2}, "file:///b"}};
  answered[0].in_use = true;
  answered[1].in_use = false;
  // The reloaded rows: ids may differ, urls decide; a url the answer lacks stays unknown.
  std::vector<ImageLocation> reloaded = {
      {int64_t{7}, "file:///b"}, {int64_t{8}, "file:///a"}, {int64_t{9}, "file:///c"}};
  copy_in_use(answered, reloaded);
  EXPECT_EQ(reloaded[0].in_use, std::optional<bool>(false));
  EXPECT_EQ(reloaded[1].in_use, std::optional<bool>(true));
  EXPECT_EQ(reloaded[2].in_use, std::nullopt);
}

TEST(CopyInUse, AnAnswerWithoutItLeavesItUnknown) {
  std::vector<ImageLocation> answered = {{int64_t{1}, "file:///a"}};
  std::vector<ImageLocation> reloaded = {{int64_t{1}, "file:///a"}};
  copy_in_use(answered, reloaded);
  EXPECT_EQ(reloaded[0].in_use, std::nullopt);
}

TEST(CopyInUse, UrlsCompareByteForByte) {
  std::vector<ImageLocation> answered = {{int64_t{1}, "file:///a"}};
  answered[0].in_use = true;
  std::vector<ImageLocation> reloaded = {{int64_t{1}, "FILE:///a"}, {int64_t{2}, "file:///a/"}};
  copy_in_use(answered, reloaded);
  EXPECT_EQ(reloaded[0].in_use, std::nullopt);
  EXPECT_EQ(reloaded[1].in_use, std::nullopt);
}

}  // namespace
}  // namespace glance::registry
