// The rule for running a unit of database work again after a lost connection.

#include "registry/db/retry_rule.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

TEST(RetryRule, WorkThatKeptItsConnectionFinishes) {
  EXPECT_EQ(after_attempt(WorkKind::read_only, false, 1), NextStep::finish);
  EXPECT_EQ(after_attempt(WorkKind::write, false, 1), NextStep::finish);
}

TEST(RetryRule, ReadThatLostItsConnectionRunsAgainOnce) {
  EXPECT_EQ(after_attempt(WorkKind::read_only, true, 1), NextStep::run_again);
  EXPECT_EQ(after_attempt(WorkKind::read_only, true, kMaxAttempts), NextStep::finish);
}

TEST(RetryRule, WriteThatLostItsConnectionIsReadBackNeverRunAgainDirectly) {
  for (int attempts = 1; attempts <= kMaxAttempts; ++attempts)
    EXPECT_EQ(after_attempt(WorkKind::write, true, attempts), NextStep::read_back);
}

TEST(RetryRule, WriteFoundStoredIsNotRunAgain) {
  EXPECT_EQ(after_read_back(WriteFinding::applied, 1), NextStep::finish);
}

TEST(RetryRule, WriteOfUnknownFateIsNotRunAgain) {
  EXPECT_EQ(after_read_back(WriteFinding::unknown, 1), NextStep::finish);
}

TEST(RetryRule, WriteProvedAbsentRunsAgainWithinTheBound) {
  EXPECT_EQ(after_read_back(WriteFinding::absent, 1), NextStep::run_again);
  EXPECT_EQ(after_read_back(WriteFinding::absent, kMaxAttempts), NextStep::finish);
}

}  // namespace
}  // namespace glance::registry
