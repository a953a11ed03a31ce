#pragma once

#include "common/clock.h"
#include "common/error.h"
#include "common/image.h"

#include <chrono>

namespace glance::api::scrubber {

// Whether a pending_delete image has waited scrub_time since it was deleted (its deleted_at,
// or updated_at for a row glance-api marked but never deleted). An image with neither
// timestamp readable is due: waiting on it could never end.
bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time);

// What one location's data delete means for the image.
enum class LocationOutcome {
  scrubbed,  // its data is gone (or never was ours): the location row may be marked deleted
  retry,     // the data may still be there: the location stays pending_delete
};

// `removed` is the store's answer to the delete; a store answering not_found had nothing to
// delete. `writable` is false for a read-only store (http), whose data is not ours to delete.
LocationOutcome location_outcome(bool writable, const common::Result<void>& removed);

}  // namespace glance::api::scrubber
