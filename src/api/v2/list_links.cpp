#include "api/v2/list_links.h"

#include <charconv>

namespace glance::api::v2 {

using common::Error;

namespace {
common::http::QueryParams without_marker(const common::http::QueryParams& params) {
  common::http::QueryParams out;
  for (const auto& p : params)
    if (p.first != "marker") out.push_back(p);
  return out;
}

std::string images_link(const common::http::QueryParams& params) {
  if (params.empty()) return "/v2/images";
  return "/v2/images?" + common::http::encode_query(params);
}
}  // namespace

common::Result<int64_t> page_limit(const common::http::QueryParams& params, int64_t default_limit,
                                   int64_t max_limit) {
  std::optional<std::string> given;
  for (const auto& [k, v] : params)
    if (k == "limit") given = v;
  if (!given) return std::min(default_limit, max_limit);
  std::string_view s = *given;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || end != s.data() + s.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range))
    return Error::bad_request("limit param must be an integer");
  // An integer past 64 bits is still an integer (upstream's are unbounded): a positive one
  // asks for the most there is.
  if (ec == std::errc::result_out_of_range) {
    if (s.front() == '-') return Error::bad_request("limit param must be positive");
    return max_limit;
  }
  if (n < 0) return Error::bad_request("limit param must be positive");
  return std::min(n, max_limit);
}

std::string first_link(const common::http::QueryParams& params) {
  return images_link(without_marker(params));
}

std::string next_link(const common::http::QueryParams& params, const std::string& marker) {
  auto out = without_marker(params);
  out.emplace_back("marker", marker);
  return images_link(out);
}

}  // namespace glance::api::v2
