#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace glance::common::http {

// Decoded query parameters in request order. Repeated keys are kept.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Parses "a=1&b=x%20y" (form encoding: '+' is a space). Returns nullopt when a %-escape
// is malformed or a decoded name or value is not UTF-8.
std::optional<QueryParams> parse_query(std::string_view query);
// Percent-decodes a path segment ('+' stays '+'). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);
// Encodes for a query component (unreserved characters kept).
std::string percent_encode(std::string_view in);
std::string encode_query(const QueryParams& params);
// The value of the last parameter of that name.
std::optional<std::string_view> find_param(const QueryParams& params, std::string_view key);

}  // namespace glance::common::http
