#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glance::api {

// What a GET of an image answers to its Range header (RFC 9110 §14), beyond upstream v1,
// which ignores ranges.
struct RangeAnswer {
  enum class Kind {
    whole,          // 200 with every byte: no Range, or one we do not serve
    partial,        // 206 with bytes [offset, offset + length)
    unsatisfiable,  // 416 with "Content-Range: bytes */<size>"
  };
  Kind kind = Kind::whole;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Interprets `header` (the Range value, if any) for a representation of `size` bytes. Serves
// one range of the "bytes" unit in the forms "a-b", "a-" and "-n"; a last position past the
// end is clamped to it. A first position at or past the end, or a suffix of 0 bytes, is
// unsatisfiable. Multiple ranges, other units and anything unparsable are ignored (whole), as
// RFC 9110 allows a server to do. Pure.
RangeAnswer answer_range(std::optional<std::string_view> header, uint64_t size);

// "bytes <first>-<last>/<size>" for a partial answer.
std::string content_range(const RangeAnswer& range, uint64_t size);

}  // namespace glance::api
