#include "common/image_membership.h"

#include "common/json_parse.h"

#include <nlohmann/json.hpp>

namespace glance::common {

using nlohmann::json;

std::string_view to_string(MemberStatus s) {
  switch (s) {
    case MemberStatus::pending:
      return "pending";
    case MemberStatus::accepted:
      return "accepted";
    case MemberStatus::rejected:
      return "rejected";
  }
  return "pending";
}

std::optional<MemberStatus> member_status_from_string(std::string_view s) {
  if (s == "pending") return MemberStatus::pending;
  if (s == "accepted") return MemberStatus::accepted;
  if (s == "rejected") return MemberStatus::rejected;
  return std::nullopt;
}

json membership_json(const ImageMembership& m) {
  return json{{"image_id", m.image_id},
              {"member_id", m.member_id},
              {"status", std::string(to_string(m.status))},
              {"created_at", m.created_at},
              {"updated_at", m.updated_at}};
}

std::string membership_document(const ImageMembership& m) {
  return dump_json(json{{"member", membership_json(m)}});
}

std::string memberships_document(const std::vector<ImageMembership>& members) {
  json out = json::array();
  for (const auto& m : members) out.push_back(membership_json(m));
  return dump_json(json{{"members", std::move(out)}});
}

Result<ImageMembership> membership_from_json(const json& entry) {
  auto text = [&entry](const char* key) -> std::optional<std::string> {
    if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string()) return {};
    return entry[key].get<std::string>();
  };
  auto image_id = text("image_id");
  auto member_id = text("member_id");
  auto status = text("status");
  auto created_at = text("created_at");
  auto updated_at = text("updated_at");
  if (!image_id || !member_id || !status || !created_at || !updated_at)
    return Error::internal("registry returned an incomplete membership");
  auto parsed = member_status_from_string(*status);
  if (!parsed) return Error::internal("registry returned an unknown member status " + *status);
  return ImageMembership{std::move(*image_id), std::move(*member_id), *parsed,
                         std::move(*created_at), std::move(*updated_at)};
}

}  // namespace glance::common
