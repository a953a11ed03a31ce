#pragma once

#include "common/clock.h"
#include "common/error.h"
#include "common/image.h"

#include <chrono>
#include <optional>
#include <string>

namespace glance::api::scrubber {

// What a pending_delete image still waits for before a pass scrubs it.
enum class ScrubWait {
  none,        // due now
  scrub_time,  // scrub_time since it was deleted
  lease,       // an unfinished delete (see below), fresher than the claim lease
};

// A pending_delete image waits scrub_time from its delete (its deleted_at). A row glance-api
// marked but never deleted (`deleted` false: the api died between its two writes) waits from
// its mark (updated_at) for `lease` (reported first) and for scrub_time, so that a live api
// finishes its own delete first. An image with neither timestamp readable is due: waiting on
// it could never end.
ScrubWait scrub_wait(const common::Image& image, common::TimePoint now,
                     std::chrono::seconds scrub_time, std::chrono::seconds lease);
// scrub_wait(...) == ScrubWait::none.
bool due_for_scrub(const common::Image& image, common::TimePoint now,
                   std::chrono::seconds scrub_time, std::chrono::seconds lease);

// Whether a location removed from an image with delayed_delete, pending_delete since
// `marked_at` (wire format), has waited scrub_time. Unreadable or absent: due, as above.
bool location_due(const std::optional<std::string>& marked_at, common::TimePoint now,
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
