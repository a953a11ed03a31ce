#pragma once

#include "common/error.h"

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

namespace glance::registry {

// The bodies of the scrubber's registry routes (scrub_resource.h), parsed from untrusted
// bytes. Both fail with bad_request and a message saying why.

// {"lease": seconds}: a claim's lease, 1 to 86400 seconds (a longer one only delays the
// retry after a scrubber died).
common::Result<std::chrono::seconds> parse_scrub_lease(std::string_view body);

// {"locations": [id, ...]}: the ids of the locations whose data is gone, at most 10,000 (an
// image has a handful).
common::Result<std::vector<int64_t>> parse_scrubbed_locations(std::string_view body);

}  // namespace glance::registry
