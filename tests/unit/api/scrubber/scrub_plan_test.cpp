#include "api/scrubber/scrub_plan.h"

#include <gtest/gtest.h>

namespace glance::api::scrubber {
namespace {

using common::Error;
using std::chrono::seconds;

common::TimePoint at(const char* text) {
  return *common::parse_iso8601(text);
}

common::Image deleted_at(std::optional<std::string> deleted, std::optional<std::string> updated) {
  common::Image image;
  image.status = common::ImageStatus::pending_delete;
  image.deleted = true;
  image.deleted_at = std::move(deleted);
  image.updated_at = std::move(updated);
  return image;
}

TEST(DueForScrub, WaitsScrubTimeFromDeletedAt) {
  auto image = deleted_at("2026-01-01T10:00:00.000000", "2026-01-01T10:00:00.000000");
  EXPECT_TRUE(due_for_scrub(image, at("2026-01-01T10:00:00"), seconds(0), seconds(0)));
  EXPECT_FALSE(due_for_scrub(image, at("2026-01-01T10:59:59.999999"), seconds(3600), seconds(0)));
  EXPECT_TRUE(due_for_scrub(image, at("2026-01-01T11:00:00"), seconds(3600), seconds(0)));
  // A clock behind the registry's: not due until it catches up.
  EXPECT_FALSE(due_for_scrub(image, at("2026-01-01T09:59:59"), seconds(0), seconds(0)));
}

TEST(DueForScrub, DeletedAtWinsOverUpdatedAtWhichAClaimMoves) {
  auto claimed = deleted_at("2026-01-01T10:00:00", "2026-01-01T12:00:00");
  EXPECT_TRUE(due_for_scrub(claimed, at("2026-01-01T11:00:00"), seconds(3600), seconds(0)));
  auto never_deleted = deleted_at(std::nullopt, "2026-01-01T12:00:00");
  EXPECT_FALSE(due_for_scrub(never_deleted, at("2026-01-01T12:30:00"), seconds(3600), seconds(0)));
  EXPECT_TRUE(due_for_scrub(never_deleted, at("2026-01-01T13:00:00"), seconds(3600), seconds(0)));
}

TEST(DueForScrub, AnUnfinishedDeleteWaitsForTheLeaseAndScrubTimeFromItsMark) {
  // Marked pending_delete, row never deleted: only updated_at says when.
  auto unfinished = deleted_at(std::nullopt, "2026-01-01T10:00:00");
  unfinished.deleted = false;
  EXPECT_FALSE(due_for_scrub(unfinished, at("2026-01-01T10:59:59"), seconds(0), seconds(3600)));
  EXPECT_FALSE(due_for_scrub(unfinished, at("2026-01-01T11:00:00"), seconds(0), seconds(3600)));
  EXPECT_TRUE(due_for_scrub(unfinished, at("2026-01-01T11:00:01"), seconds(0), seconds(3600)));
  EXPECT_FALSE(due_for_scrub(unfinished, at("2026-01-01T11:00:01"), seconds(7200), seconds(3600)));
  EXPECT_TRUE(due_for_scrub(unfinished, at("2026-01-01T12:00:00"), seconds(7200), seconds(3600)));
  // The lease never holds back a row that is deleted.
  auto deleted = deleted_at("2026-01-01T10:00:00", "2026-01-01T10:00:00");
  EXPECT_TRUE(due_for_scrub(deleted, at("2026-01-01T10:00:00"), seconds(0), seconds(3600)));
}

TEST(DueForScrub, AnImageWithoutAReadableTimeIsDueRatherThanKeptForever) {
  EXPECT_TRUE(due_for_scrub(deleted_at(std::nullopt, std::nullopt), at("2026-01-01"), seconds(60),
                            seconds(0)));
  EXPECT_TRUE(due_for_scrub(deleted_at("yesterday", std::nullopt), at("2026-01-01"), seconds(60),
                            seconds(0)));
}

TEST(ScrubWait, AFreshUnfinishedDeleteWaitsForTheLeaseNotForScrubTime) {
  auto unfinished = deleted_at(std::nullopt, "2026-01-01T10:00:00");
  unfinished.deleted = false;
  // Within the lease it is the lease that holds it, whatever scrub_time says.
  EXPECT_EQ(scrub_wait(unfinished, at("2026-01-01T10:30:00"), seconds(0), seconds(3600)),
            ScrubWait::lease);
  EXPECT_EQ(scrub_wait(unfinished, at("2026-01-01T10:30:00"), seconds(7200), seconds(3600)),
            ScrubWait::lease);
  // Past the lease, scrub_time alone.
  EXPECT_EQ(scrub_wait(unfinished, at("2026-01-01T11:30:00"), seconds(7200), seconds(3600)),
            ScrubWait::scrub_time);
  EXPECT_EQ(scrub_wait(unfinished, at("2026-01-01T12:00:00"), seconds(7200), seconds(3600)),
            ScrubWait::none);
  // A deleted row never waits for the lease.
  auto deleted = deleted_at("2026-01-01T10:00:00", "2026-01-01T10:00:00");
  EXPECT_EQ(scrub_wait(deleted, at("2026-01-01T10:30:00"), seconds(3600), seconds(3600)),
            ScrubWait::scrub_time);
  EXPECT_EQ(scrub_wait(deleted, at("2026-01-01T10:30:00"), seconds(0), seconds(3600)),
            ScrubWait::none);
}

TEST(LocationDue, WaitsScrubTimeFromItsMark) {
  const std::optional<std::string> marked = "2026-01-01T10:00:00.000000";
  EXPECT_TRUE(location_due(marked, at("2026-01-01T10:00:00"), seconds(0)));
  EXPECT_FALSE(location_due(marked, at("2026-01-01T10:59:59.999999"), seconds(3600)));
  EXPECT_TRUE(location_due(marked, at("2026-01-01T11:00:00"), seconds(3600)));
  // A clock behind the registry's: not due until it catches up.
  EXPECT_FALSE(location_due(marked, at("2026-01-01T09:59:59"), seconds(0)));
  // Without a readable mark it is due rather than kept forever.
  EXPECT_TRUE(location_due(std::nullopt, at("2026-01-01"), seconds(3600)));
  EXPECT_TRUE(location_due(std::string("yesterday"), at("2026-01-01"), seconds(3600)));
}

TEST(LocationOutcome, DataGoneOrNeverOursIsScrubbed) {
  EXPECT_EQ(location_outcome(true, common::Result<void>()), LocationOutcome::scrubbed);
  EXPECT_EQ(location_outcome(true, Error::not_found("gone")), LocationOutcome::scrubbed);
  EXPECT_EQ(location_outcome(false, Error::forbidden("read-only")), LocationOutcome::scrubbed);
}

TEST(LocationOutcome, AnyOtherFailureKeepsTheLocationForALaterPass) {
  for (auto e : {Error::forbidden("EISDIR"), Error::unavailable("down"),
                 Error::unauthorized("bad key"), Error::internal("500"), Error::conflict("409")})
    EXPECT_EQ(location_outcome(true, e), LocationOutcome::retry) << e.message();
}

}  // namespace
}  // namespace glance::api::scrubber
