#include "common/scrub_location.h"

namespace glance::common {

using nlohmann::json;

namespace {
Error unexpected(const char* what) {
  return Error::internal(std::string("registry returned an unexpected ") + what + " document");
}
}  // namespace

json pending_location_to_json(const PendingLocation& location) {
  return json{{"id", location.id},
              {"image_id", location.image_id},
              {"marked_at", location.marked_at ? json(*location.marked_at) : json(nullptr)}};
}

json location_claim_to_json(const LocationClaim& claim) {
  return json{{"id", claim.location.id ? json(*claim.location.id) : json(nullptr)},
              {"url", claim.location.url},
              {"metadata", claim.location.metadata},
              {"status", claim.location.status},
              {"in_use", claim.in_use}};
}

Result<PendingLocation> pending_location_from_json(const json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer() ||
      !j.contains("image_id") || !j["image_id"].is_string())
    return unexpected("pending location");
  PendingLocation out;
  out.id = j["id"].get<int64_t>();
  out.image_id = j["image_id"].get<std::string>();
  if (j.contains("marked_at") && j["marked_at"].is_string())
    out.marked_at = j["marked_at"].get<std::string>();
  return out;
}

Result<LocationClaim> location_claim_from_json(const json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer() || !j.contains("url") ||
      !j["url"].is_string() || !j.contains("status") || !j["status"].is_string())
    return unexpected("location claim");
  LocationClaim out;
  out.location.id = j["id"].get<int64_t>();
  out.location.url = j["url"].get<std::string>();
  out.location.status = j["status"].get<std::string>();
  if (j.contains("metadata") && j["metadata"].is_object()) out.location.metadata = j["metadata"];
  // Unknown means in use: the data is kept rather than risked.
  out.in_use = !j.contains("in_use") || !j["in_use"].is_boolean() || j["in_use"].get<bool>();
  return out;
}

}  // namespace glance::common
