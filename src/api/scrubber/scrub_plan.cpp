#include "api/scrubber/scrub_plan.h"

namespace glance::api::scrubber {

bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time, std::chrono::seconds lease) {
  const auto& stamp = image.deleted_at ? image.deleted_at : image.updated_at;
  if (!stamp) return true;
  auto at = common::parse_iso8601(*stamp);
  if (!at) return true;
  // The registry takes over a mark only once it is older than the lease.
  if (!image.deleted && *at + lease >= now) return false;
  return *at + scrub_time <= now;
}

LocationOutcome location_outcome(bool writable, const common::Result<void>& removed) {
  if (!writable) return LocationOutcome::scrubbed;
  if (removed || removed.error().code() == common::Errc::not_found)
    return LocationOutcome::scrubbed;
  return LocationOutcome::retry;
}

}  // namespace glance::api::scrubber
