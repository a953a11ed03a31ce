#include "registry/scrub_request.h"

#include "common/http/json_body.h"

namespace glance::registry {

using common::Error;
using common::Result;

namespace {
constexpr int64_t kMaxLease = 86400;
constexpr size_t kMaxLocations = 10000;
}  // namespace

Result<std::chrono::seconds> parse_scrub_lease(std::string_view text) {
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("lease") || !(*body)["lease"].is_number_integer())
    return Error::bad_request("Expected a 'lease' in seconds.");
  const auto& lease = (*body)["lease"];
  // An unsigned JSON number past INT64_MAX would wrap in get<int64_t>().
  if (lease.is_number_unsigned() && lease.get<uint64_t>() > uint64_t(kMaxLease))
    return Error::bad_request("'lease' must be 1 to 86400 seconds.");
  auto seconds = lease.get<int64_t>();
  if (seconds < 1 || seconds > kMaxLease)
    return Error::bad_request("'lease' must be 1 to 86400 seconds.");
  return std::chrono::seconds(seconds);
}

Result<std::vector<int64_t>> parse_scrubbed_locations(std::string_view text) {
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("locations") || !(*body)["locations"].is_array())
    return Error::bad_request("Expected a 'locations' list of location ids.");
  const auto& list = (*body)["locations"];
  if (list.size() > kMaxLocations) return Error::bad_request("Too many location ids.");
  std::vector<int64_t> ids;
  for (const auto& v : list) {
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX))
      return Error::bad_request("Location ids are integers.");
    ids.push_back(v.get<int64_t>());
  }
  return ids;
}

}  // namespace glance::registry
