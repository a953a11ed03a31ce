#pragma once

#include "common/error.h"
#include "common/http/query_string.h"

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

// A location id in a route's path: decimal digits, 1 to 2^63 - 1; not_found otherwise (no
// location can have it).
common::Result<int64_t> parse_location_id(std::string_view text);

// {"scrubbed": true | false}: whether the claimed location's data is gone.
common::Result<bool> parse_location_scrubbed(std::string_view body);

// GET /scrubber/locations?marker=<location id>&limit=<n>: the page after `marker` (0: from the
// start), `limit` 1 to 1000 (1000 when absent).
struct LocationPage {
  int64_t after = 0;
  int limit = 1000;
};
common::Result<LocationPage> parse_location_page(const common::http::QueryParams& query);

}  // namespace glance::registry
