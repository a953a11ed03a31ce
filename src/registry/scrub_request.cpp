#include "registry/scrub_request.h"

#include "common/http/json_body.h"

#include <optional>

namespace glance::registry {

using common::Error;
using common::Result;

namespace {
constexpr int64_t kMaxLease = 86400;
constexpr size_t kMaxLocations = 10000;
constexpr int kMaxPage = 1000;

// Decimal digits only, no sign, at most 18 of them (below 2^63).
std::optional<int64_t> small_decimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}
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

Result<int64_t> parse_location_id(std::string_view text) {
  auto id = small_decimal(text);
  if (!id || *id < 1) return Error::not_found("No location " + std::string(text.substr(0, 40)));
  return *id;
}

Result<bool> parse_location_scrubbed(std::string_view text) {
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("scrubbed") || !(*body)["scrubbed"].is_boolean())
    return Error::bad_request("Expected 'scrubbed': true or false.");
  return (*body)["scrubbed"].get<bool>();
}

Result<LocationPage> parse_location_page(const common::http::QueryParams& query) {
  LocationPage page;
  if (auto marker = common::http::find_param(query, "marker")) {
    auto after = small_decimal(*marker);
    if (!after) return Error::bad_request("'marker' must be a location id.");
    page.after = *after;
  }
  if (auto limit = common::http::find_param(query, "limit")) {
    auto n = small_decimal(*limit);
    if (!n || *n < 1 || *n > kMaxPage) return Error::bad_request("'limit' must be 1 to 1000.");
    page.limit = static_cast<int>(*n);
  }
  return page;
}

}  // namespace glance::registry
