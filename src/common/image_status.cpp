#include "common/image_status.h"

#include <array>
#include <utility>

namespace glance::common {

namespace {
constexpr std::array<std::pair<ImageStatus, std::string_view>, 9> kNames{{
    {ImageStatus::queued, "queued"},
    {ImageStatus::saving, "saving"},
    {ImageStatus::active, "active"},
    {ImageStatus::killed, "killed"},
    {ImageStatus::deleted, "deleted"},
    {ImageStatus::pending_delete, "pending_delete"},
    {ImageStatus::deactivated, "deactivated"},
    {ImageStatus::uploading, "uploading"},
    {ImageStatus::importing, "importing"},
}};
}  // namespace

std::string_view to_string(ImageStatus s) {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "queued";
}

std::optional<ImageStatus> image_status_from_string(std::string_view s) {
  for (const auto& [status, name] : kNames)
    if (name == s) return status;
  return std::nullopt;
}

bool is_allowed_transition(ImageStatus from, ImageStatus to) {
  using S = ImageStatus;
  if (from == to) return true;
  switch (to) {
    case S::saving:
      return from == S::queued;
    case S::active:
      return from == S::saving || from == S::queued;
    case S::killed:
      return from == S::saving || from == S::queued;
    case S::deleted:
      return from != S::deleted;
    case S::pending_delete:
      return from != S::deleted && from != S::pending_delete;
    default:
      return false;
  }
}

}  // namespace glance::common
