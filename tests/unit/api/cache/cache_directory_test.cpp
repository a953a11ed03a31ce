// The cache directory and its SQLite index on a real local disk: what a fill leaves, what a
// crash leaves and start-up removes, and the ids that must never become file names.

#include "api/cache/cache_directory.h"
#include "api/cache/cache_maintenance.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace glance::api {
namespace {

namespace fs = std::filesystem;

constexpr const char* kA = "11111111-2222-3333-4444-555555555555";
constexpr const char* kB = "21111111-2222-3333-4444-555555555555";
constexpr const char* kC = "31111111-2222-3333-4444-555555555555";

class CacheDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.dir = (fs::path(::testing::TempDir()) /
                   ("cache_directory_test_" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())))
                      .string();
    fs::remove_all(config_.dir);
    cache_ = open(true);
  }
  std::unique_ptr<CacheDirectory> open(bool recover) const {
    auto c = CacheDirectory::open(config_, recover);
    EXPECT_TRUE(c) << c.error().message();
    return c ? std::move(*c) : nullptr;
  }
  // A committed fill of `data` under `checksum`.
  void fill(CacheDirectory& cache, const std::string& id, const std::string& data,
            const std::string& checksum = "sum") const {
    auto fd = cache.begin_fill(id);
    ASSERT_TRUE(fd) << fd.error().message();
    ASSERT_EQ(::write(*fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ASSERT_TRUE(cache.commit_fill(id, *fd, data.size(), checksum));
  }

  CacheConfig config_;
  std::unique_ptr<CacheDirectory> cache_;
};

TEST_F(CacheDirectoryTest, ACommittedFillIsServedUnderItsChecksumOnly) {
  fill(*cache_, kA, "hello");
  auto hit = cache_->open_cached(kA, "sum");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->size, 5u);
  EXPECT_FALSE(fs::exists(fs::path(config_.dir) / "incomplete" / kA));
  // The registry now records other data: the copy goes.
  EXPECT_FALSE(cache_->open_cached(kA, "other"));
  EXPECT_FALSE(cache_->is_cached(kA));
  EXPECT_FALSE(fs::exists(fs::path(config_.dir) / kA));
}

TEST_F(CacheDirectoryTest, HitsAreCountedInTheIndexThatSurvivesAReopen) {
  fill(*cache_, kA, "hello");
  cache_->open_cached(kA, "sum");
  cache_->open_cached(kA, "sum");
  cache_.reset();
  auto again = open(true);
  auto rows = again->list();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].hits, 2u);
  EXPECT_EQ((*rows)[0].checksum, "sum");
}

TEST_F(CacheDirectoryTest, OneFillAtATimeAndNoneOnceCached) {
  auto first = cache_->begin_fill(kA);
  ASSERT_TRUE(first);
  auto second = cache_->begin_fill(kA);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), common::Errc::conflict);
  cache_->discard_fill(kA, *first);
  EXPECT_FALSE(cache_->is_cached(kA));
  fill(*cache_, kA, "x");
  EXPECT_FALSE(cache_->begin_fill(kA));
}

TEST_F(CacheDirectoryTest, StartUpRemovesWhatACrashLeft) {
  fill(*cache_, kA, "kept");
  fill(*cache_, kB, "row without file");
  fs::remove(fs::path(config_.dir) / kB);
  std::ofstream(fs::path(config_.dir) / kC) << "file without row";
  std::ofstream(fs::path(config_.dir) / "incomplete" / kC) << "a fill of a dead process";
  cache_.reset();
  auto again = open(true);
  EXPECT_TRUE(again->open_cached(kA, "sum"));
  EXPECT_FALSE(again->is_cached(kB));
  EXPECT_FALSE(fs::exists(fs::path(config_.dir) / kC));
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
  EXPECT_TRUE(fs::exists(config_.index_path()));
}

TEST_F(CacheDirectoryTest, TheQueueSkipsCachedImagesAndKeepsOrder) {
  fill(*cache_, kA, "x");
  EXPECT_FALSE(cache_->queue(kA));
  EXPECT_TRUE(cache_->queue(kB));
  EXPECT_TRUE(cache_->queue(kC));
  EXPECT_EQ(cache_->queued().size(), 2u);
  fill(*cache_, kB, "y");  // a committed fill leaves the queue
  EXPECT_EQ(cache_->queued(), std::vector<std::string>{kC});
  EXPECT_EQ(cache_->dequeue_all(), 1u);
  EXPECT_TRUE(cache_->queued().empty());
}

TEST_F(CacheDirectoryTest, OnlyImageIdsBecomeFileNames) {
  EXPECT_TRUE(CacheDirectory::is_safe_id(kA));
  for (const char* id : {"", "..", "../etc/passwd", "a/b", "cache.db", "incomplete",
                         "11111111-2222-3333-4444-55555555555/"})
    EXPECT_FALSE(CacheDirectory::is_safe_id(id)) << id;
}

TEST_F(CacheDirectoryTest, PruningRemovesLeastRecentlyAccessedFirst) {
  fill(*cache_, kA, std::string(100, 'a'));
  fill(*cache_, kB, std::string(100, 'b'));
  fill(*cache_, kC, std::string(100, 'c'));
  ASSERT_TRUE(cache_->index().record_hit(kA, 1e12));  // far in the future: the newest
  auto pruned = prune_cache(*cache_, 150);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->images, 2u);
  EXPECT_EQ(pruned->bytes, 200u);
  EXPECT_TRUE(cache_->is_cached(kA));
  EXPECT_FALSE(cache_->is_cached(kB));
  EXPECT_FALSE(cache_->is_cached(kC));
  EXPECT_EQ(prune_cache(*cache_, 150)->images, 0u);
}

TEST_F(CacheDirectoryTest, CleaningRemovesStalledFillsOnly) {
  const auto stalled = cache_->incomplete_dir() / kA;
  const auto fresh = cache_->incomplete_dir() / kB;
  std::ofstream(stalled) << "partial";
  std::ofstream(fresh) << "partial";
  fs::last_write_time(stalled, fs::file_time_type::clock::now() - std::chrono::hours(2));
  auto removed = clean_cache(*cache_, std::chrono::hours(1));
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 1u);
  EXPECT_FALSE(fs::exists(stalled));
  EXPECT_TRUE(fs::exists(fresh));
}

TEST_F(CacheDirectoryTest, CleaningAnUnreadableIncompleteDirectoryIsAnErrorNotAThrow) {
  fs::remove_all(cache_->incomplete_dir());
  std::ofstream(cache_->incomplete_dir()) << "not a directory";
  auto removed = clean_cache(*cache_, std::chrono::seconds(0));
  ASSERT_FALSE(removed);
  EXPECT_NE(removed.error().message().find("incomplete"), std::string::npos);
}

TEST_F(CacheDirectoryTest, AnUnreadableIndexIsAnError) {
  fs::create_directories(config_.dir + "/blocked");
  config_.sqlite_db = "blocked";  // a directory where the index file should be
  EXPECT_FALSE(CacheDirectory::open(config_, true));
}

}  // namespace
}  // namespace glance::api
