#include "api/scrubber/scrub_plan.h"

namespace glance::api::scrubber {

bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time) {
  const auto& stamp = image.deleted_at ? image.deleted_at : image.updated_at;
  if (!stamp) return true;
  auto at = common::parse_iso8601(*stamp);
  if (!at) return true;
  return *at + scrub_time <= now;
}

LocationOutcome location_outcome(bool writable, const common::Result<void>& removed) {
  if (!writable) return LocationOutcome::scrubbed;
  if (removed || removed.error().code() == common::Errc::not_found)
    return LocationOutcome::scrubbed;
  return LocationOutcome::retry;
}

}  // namespace glance::api::scrubber
