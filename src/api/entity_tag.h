#pragma once

#include <string_view>

namespace glance::api {

// Whether an If-None-Match value names `etag` (RFC 9110 §13.1.2): "*", or a comma-separated
// list of tags, each quoted or bare (upstream v1 sends its ETag bare) and optionally weak
// ("W/"), compared weakly. Pure.
bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace glance::api
