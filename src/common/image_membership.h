#pragma once

#include "common/error.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::common {

// The answer a member gave to an image shared with it (Glance v2's member status). Rows
// written by v1, which has no status, hold `pending`.
enum class MemberStatus { pending, accepted, rejected };

std::string_view to_string(MemberStatus s);
std::optional<MemberStatus> member_status_from_string(std::string_view s);

// One membership as Glance v2 shows it. Timestamps are in the wire format of
// format_timestamp().
struct ImageMembership {
  std::string image_id;
  std::string member_id;
  MemberStatus status = MemberStatus::pending;
  std::string created_at;
  std::string updated_at;
};

// The registry's documents for v2 memberships: {"member": {...}} and {"members": [...]}, each
// entry with image_id, member_id, status, created_at and updated_at. Pure.
nlohmann::json membership_json(const ImageMembership& m);
std::string membership_document(const ImageMembership& m);
std::string memberships_document(const std::vector<ImageMembership>& members);
// The reverse, for the registry client; internal when an entry lacks a field or names an
// unknown status.
Result<ImageMembership> membership_from_json(const nlohmann::json& entry);

}  // namespace glance::common
