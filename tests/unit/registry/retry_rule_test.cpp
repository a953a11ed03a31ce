// The rule for running a unit of database work again after a lost connection or a lock
// conflict.

#include "registry/db/retry_rule.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

constexpr auto kLost = AttemptFailure::lost_connection;
constexpr auto kConflict = AttemptFailure::lock_conflict;

TEST(RetryRule, WorkThatRanFinishes) {
  EXPECT_EQ(after_attempt(WorkKind::read_only, AttemptFailure::none, 1), NextStep::finish);
  EXPECT_EQ(after_attempt(WorkKind::write, AttemptFailure::none, 1), NextStep::finish);
}

TEST(RetryRule, ReadThatLostItsConnectionRunsAgainOnce) {
  EXPECT_EQ(after_attempt(WorkKind::read_only, kLost, 1), NextStep::run_again);
  EXPECT_EQ(after_attempt(WorkKind::read_only, kLost, kMaxAttempts), NextStep::finish);
}

TEST(RetryRule, ReadThatMetLockConflictsRunsAgainWithinTheLargerBound) {
  EXPECT_GT(kMaxConflictAttempts, kMaxAttempts);
  for (int attempts = 1; attempts < kMaxConflictAttempts; ++attempts)
    EXPECT_EQ(after_attempt(WorkKind::read_only, kConflict, attempts), NextStep::run_again);
  EXPECT_EQ(after_attempt(WorkKind::read_only, kConflict, kMaxConflictAttempts), NextStep::finish);
}

TEST(RetryRule, FailedWriteIsReadBackNeverRunAgainDirectly) {
  for (auto failure : {kLost, kConflict})
    for (int attempts = 1; attempts <= kMaxConflictAttempts; ++attempts)
      EXPECT_EQ(after_attempt(WorkKind::write, failure, attempts), NextStep::read_back);
}

TEST(RetryRule, WriteFoundStoredIsNotRunAgain) {
  EXPECT_EQ(after_read_back(WriteFinding::applied, kLost, 1), NextStep::finish);
  EXPECT_EQ(after_read_back(WriteFinding::applied, kConflict, 1), NextStep::finish);
}

TEST(RetryRule, WriteOfUnknownFateIsNotRunAgain) {
  EXPECT_EQ(after_read_back(WriteFinding::unknown, kLost, 1), NextStep::finish);
  EXPECT_EQ(after_read_back(WriteFinding::unknown, kConflict, 1), NextStep::finish);
}

TEST(RetryRule, WriteProvedAbsentRunsAgainWithinItsFailuresBound) {
  EXPECT_EQ(after_read_back(WriteFinding::absent, kLost, 1), NextStep::run_again);
  EXPECT_EQ(after_read_back(WriteFinding::absent, kLost, kMaxAttempts), NextStep::finish);
  EXPECT_EQ(after_read_back(WriteFinding::absent, kConflict, kMaxAttempts), NextStep::run_again);
  EXPECT_EQ(after_read_back(WriteFinding::absent, kConflict, kMaxConflictAttempts),
            NextStep::finish);
}

TEST(RetryRule, ConflictPauseGrowsWithinItsBoundsAndJitterSpreadsIt) {
  using std::chrono::milliseconds;
  EXPECT_EQ(conflict_pause(1, 0.0), milliseconds(5));
  EXPECT_LT(conflict_pause(1, 0.999), milliseconds(10));
  EXPECT_EQ(conflict_pause(2, 0.0), milliseconds(10));
  EXPECT_LT(conflict_pause(5, 0.0), conflict_pause(6, 0.0));
  EXPECT_EQ(conflict_pause(6, 0.0), milliseconds(160));
  EXPECT_EQ(conflict_pause(60, 0.0), milliseconds(160));
  EXPECT_LT(conflict_pause(60, 0.999), milliseconds(320));
  EXPECT_EQ(conflict_pause(1, -3.0), milliseconds(5));
  EXPECT_LE(conflict_pause(1, 7.0), milliseconds(10));
}

}  // namespace
}  // namespace glance::registry
