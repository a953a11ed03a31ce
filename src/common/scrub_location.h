#pragma once

#include "common/error.h"
#include "common/image.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace glance::common {

// What glance-scrubber and the registry exchange about the locations removed from images
// with delayed_delete (Images API v2 PATCH "remove /locations/N"): such a location row stays
// pending_delete, on an image that is not itself pending_delete, until its data is deleted.

// One of them, as the registry lists them.
struct PendingLocation {
  int64_t id = 0;  // the location's row id
  std::string image_id;
  std::optional<std::string> marked_at;  // when it became pending_delete, wire format
};

// One of them claimed by a scrubber. `in_use`: a live image (this one or another) still has
// the same url as an active location, so the data is not orphaned and must stay.
struct LocationClaim {
  ImageLocation location;  // with its id, url, metadata and status
  bool in_use = false;
};

// {"id": 7, "image_id": "…", "marked_at": "…" or null}
nlohmann::json pending_location_to_json(const PendingLocation& location);
// {"id": 7, "url": "…", "metadata": {…}, "status": "pending_delete", "in_use": false}
nlohmann::json location_claim_to_json(const LocationClaim& claim);
// The registry's answers read back; internal when a document does not have that shape.
Result<PendingLocation> pending_location_from_json(const nlohmann::json& j);
Result<LocationClaim> location_claim_from_json(const nlohmann::json& j);

}  // namespace glance::common
