#pragma once

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace glance::common {

// Bounds on a JSON document read from outside the process.
struct JsonLimits {
  // Containers nested deeper than this are refused. Glance's documents nest four or five
  // levels; 32 leaves room for location metadata and stays far from any stack limit in code
  // that walks the result recursively (dump(), destructors, comparisons).
  size_t max_depth = 32;
  // Longer texts are refused before parsing. Matches the server's buffered-body limit.
  size_t max_bytes = 1 << 20;
};

// The one way any JSON text (request bodies, registry replies, Keystone and Swift answers,
// columns read from the database) becomes a document. Parsing is event-driven and builds the
// document without recursion, so nesting costs no stack even before the limit stops it.
// Strings are checked to be UTF-8, so anything parsed here can be dumped again.
// Errors: payload_too_large when text is longer than limits.max_bytes; bad_request
// "JSON nested deeper than N levels." when a container opens below limits.max_depth; and
// bad_request "Malformed JSON in request body." for anything that is not one JSON value.
// Callers whose input is not a client's map these as they need. Pure; thread-safe.
Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits = {});

// Serializes a document for the wire or the database. Never throws: a string holding
// ill-formed UTF-8 (which only a bug could let through) is written with U+FFFD in place of
// the bad bytes rather than failing the whole response.
std::string dump_json(const nlohmann::json& document);

}  // namespace glance::common
