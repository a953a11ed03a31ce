#pragma once

#include "common/error.h"

#include <string>
#include <string_view>

namespace glance::api {

// Turns a registry answer that is not a success into our error: client errors
// keep their meaning, 503 stays unavailable, any other status is internal. The message is
// the registry's own text with its generic WebOb preamble removed.
common::Error registry_error(unsigned status, std::string_view body);

// The error for a registry that cannot be reached or does not answer in time.
common::Error registry_unreachable(std::string_view why);

}  // namespace glance::api
