#include "common/image_member_json.h"

#include "common/json_parse.h"

#include <nlohmann/json.hpp>

namespace glance::common {

using nlohmann::json;

std::string members_document(const std::vector<Membership>& members) {
  json out = json::array();
  for (const auto& m : members)
    out.push_back({{"member_id", m.member_id}, {"can_share", m.can_share}});
  return dump_json(json{{"members", std::move(out)}});
}

std::string shared_images_document(const std::vector<SharedImage>& shared) {
  json out = json::array();
  for (const auto& s : shared)
    out.push_back({{"image_id", s.image_id}, {"can_share", s.can_share}});
  return dump_json(json{{"shared_images", std::move(out)}});
}

}  // namespace glance::common
