#pragma once

#include "common/clock.h"
#include "common/error.h"
#include "common/image.h"

#include <chrono>

namespace glance::api::scrubber {

// Whether a pending_delete image has waited scrub_time since it was deleted (its deleted_at).
// A row glance-api marked but never deleted (`deleted` false: the api died between its two
// writes) waits from its mark (updated_at) for scrub_time and for `lease` both, so that a
// live api finishes its own delete first. An image with neither timestamp readable is due:
// waiting on it could never end.
bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time, std::chrono::seconds lease);

// What one location's data delete means for the image.
enum class LocationOutcome {
  scrubbed,  // its data is gone (or never was ours): the location row may be marked deleted
  retry,     // the data may still be there: the location stays pending_delete
};

// `removed` is the store's answer to the delete; a store answering not_found had nothing to
// delete. `writable` is false for a read-only store (http), whose data is not ours to delete.
LocationOutcome location_outcome(bool writable, const common::Result<void>& removed);

}  // namespace glance::api::scrubber
