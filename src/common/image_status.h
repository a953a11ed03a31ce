#pragma once

#include <optional>
#include <string_view>

namespace glance::common {

// The statuses an image row may hold. v1 creates only the first six; the v2-only
// ones are tolerated when read.
enum class ImageStatus {
  queued,
  saving,
  active,
  killed,
  deleted,
  pending_delete,
  deactivated,
  uploading,
  importing,
};

std::string_view to_string(ImageStatus s);
std::optional<ImageStatus> image_status_from_string(std::string_view s);

// v1 has no transition table in the registry: the only guard is the compare-and-set on
// `from_state`. These are the moves the api makes, used to reject the others.
bool is_allowed_transition(ImageStatus from, ImageStatus to);
// Data may be uploaded only to a queued image.
inline bool accepts_upload(ImageStatus s) {
  return s == ImageStatus::queued;
}
// DELETE is refused for these (pending_delete → 403, deleted → 404).
inline bool is_deleted_status(ImageStatus s) {
  return s == ImageStatus::deleted || s == ImageStatus::pending_delete;
}

}  // namespace glance::common
