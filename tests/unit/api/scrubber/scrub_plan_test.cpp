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
