#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glance::api::v2 {

// Upstream v2's checks of a download's Range header, made before the range is served: one
// range of the "bytes" unit ("a-b", "a-" or "-n", WebOb's reading), whose first position
// lies within the image. Pure.
struct RangeRefusal {
  enum class Kind {
    multiple,       // 400: several ranges
    unsatisfiable,  // 416: unparsable, reversed, or starting at or past the end
  };
  Kind kind;
  std::string message;
};

// Nothing when the header is absent or passes; else what to refuse it with. `size` is the
// image's recorded size (not 0).
std::optional<RangeRefusal> refuse_range(std::optional<std::string_view> header, uint64_t size);

}  // namespace glance::api::v2
