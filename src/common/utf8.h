#pragma once

#include <string>
#include <string_view>

namespace glance::common {

// Whether `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequence. Every string a client hands us (path segments,
// query values, header values) is checked with this before it can reach a JSON document or
// the database, which would otherwise fail on it far from the cause. Pure.
bool is_valid_utf8(std::string_view text);

// `text` with each ill-formed sequence replaced by U+FFFD, as nlohmann's
// error_handler_t::replace does; valid text comes back unchanged. For serializers that must
// never fail on bytes that slipped past the checks above. Pure.
std::string to_valid_utf8(std::string_view text);

}  // namespace glance::common
