// The image cache's options: the jobs glance-api runs itself are off unless asked for, and a
// negative, huge (past a year) or non-numeric interval stops the daemon at start-up naming
// the option.

#include "api/cache/cache_config.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

using std::chrono::seconds;

bool names(const common::ConfigFile& file, const std::string& option) {
  for (const auto& e : file.errors())
    if (e.find(option) != std::string::npos) return true;
  return false;
}

TEST(CacheConfig, TheApisOwnJobsAreOffByDefault) {
  auto file = common::ConfigFile::from_string("[DEFAULT]\nimage_cache_dir = /var/cache/x\n");
  auto c = load_cache_config(file, "keystone+caching");
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.prune_interval, seconds(0));
  EXPECT_EQ(c.clean_interval, seconds(0));
  EXPECT_EQ(c.prefetch_interval, seconds(0));
  EXPECT_TRUE(file.errors().empty());
}

TEST(CacheConfig, IntervalsAreSeconds) {
  auto file = common::ConfigFile::from_string(
      "[DEFAULT]\nimage_cache_dir = /var/cache/x\nimage_cache_prune_interval = 1800\n"
      "image_cache_clean_interval = 86400\nimage_cache_prefetch_interval = 300\n");
  auto c = load_cache_config(file, "cachemanagement");
  EXPECT_EQ(c.prune_interval, seconds(1800));
  EXPECT_EQ(c.clean_interval, seconds(86400));
  EXPECT_EQ(c.prefetch_interval, seconds(300));
  EXPECT_TRUE(file.errors().empty());
  EXPECT_TRUE(file.unknown_options().empty());
}

TEST(CacheConfig, ANegativeHugeOrNonNumericIntervalIsAnError) {
  for (const std::string option : {"image_cache_prune_interval", "image_cache_clean_interval",
                                   "image_cache_prefetch_interval"}) {
    for (const std::string value : {"-1", "soon", "1.5", "9223372036854775807"}) {
      auto file = common::ConfigFile::from_string("[DEFAULT]\nimage_cache_dir = /x\n" + option +
                                                  " = " + value + "\n");
      load_cache_config(file, "caching");
      EXPECT_TRUE(names(file, option)) << option << " = " << value;
    }
  }
}

}  // namespace
}  // namespace glance::api
