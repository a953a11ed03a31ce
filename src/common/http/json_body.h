#pragma once

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace glance::common::http {

// Parses a JSON request body as Glance does: invalid JSON → "Malformed JSON in
// request body."; anything but an object or array → "Unexpected body type. Expected
// list/dict." (both bad_request). Within common::parse_json's default limits: nested deeper
// than 32 levels → bad_request; over 1 MiB → payload_too_large.
Result<nlohmann::json> parse_json_body(std::string_view body);

// Python truthiness of a JSON value: false, 0, null, "" and empty containers are false.
bool json_truthy(const nlohmann::json& value);

}  // namespace glance::common::http
