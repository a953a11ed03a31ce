#include "api/scrubber/scrub_plan.h"

namespace glance::api::scrubber {

ScrubWait scrub_wait(const common::Image& image, common::TimePoint now,
                     std::chrono::seconds scrub_time, std::chrono::seconds lease) {
  const auto& stamp = image.deleted_at ? image.deleted_at : image.updated_at;
  if (!stamp) return ScrubWait::none;
  auto at = common::parse_iso8601(*stamp);
  if (!at) return ScrubWait::none;
  // The registry takes over a mark only once it is older than the lease.
  if (!image.deleted && *at + lease >= now) return ScrubWait::lease;
  return *at + scrub_time <= now ? ScrubWait::none : ScrubWait::scrub_time;
}

bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time, std::chrono::seconds lease) {
  return scrub_wait(image, now, scrub_time, lease) == ScrubWait::none;
}

bool location_due(const std::optional<std::string>& marked_at, common::TimePoint now,
                  std::chrono::seconds scrub_time) {
  if (!marked_at) return true;
  auto at = common::parse_iso8601(*marked_at);
  return !at || *at + scrub_time <= now;
}

LocationOutcome location_outcome(bool writable, const common::Result<void>& removed) {
  if (!writable) return LocationOutcome::scrubbed;
  if (removed || removed.error().code() == common::Errc::not_found)
    return LocationOutcome::scrubbed;
  return LocationOutcome::retry;
}

}  // namespace glance::api::scrubber
