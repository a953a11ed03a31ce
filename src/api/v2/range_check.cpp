#include "api/v2/range_check.h"

#include <cctype>
#include <charconv>

namespace glance::api::v2 {

namespace {
void skip_spaces(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

// Leading decimal digits of `s`, consumed; nothing when there are none. A number past 64
// bits reads as the largest (past the end of any image).
std::optional<uint64_t> take_number(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + n, v);
  s.remove_prefix(n);
  if (ec != std::errc()) return UINT64_MAX;
  return v;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

std::optional<RangeRefusal> refuse_range(std::optional<std::string_view> header, uint64_t size) {
  if (!header) return std::nullopt;
  std::string_view s = *header;
  if (s.find(',') != std::string_view::npos)
    return RangeRefusal{RangeRefusal::Kind::multiple,
                        "Requests with multiple ranges are not supported in Glance. You may "
                        "make multiple single-range requests instead."};
  const RangeRefusal invalid{RangeRefusal::Kind::unsatisfiable, "Invalid Range header."};
  // WebOb: "bytes *= *(\d*) *- *(\d*)", matched at the start, any case.
  if (!iequals_prefix(s, "bytes")) return invalid;
  s.remove_prefix(5);
  skip_spaces(s);
  if (s.empty() || s.front() != '=') return invalid;
  s.remove_prefix(1);
  skip_spaces(s);
  auto first = take_number(s);
  skip_spaces(s);
  if (s.empty() || s.front() != '-') return invalid;
  s.remove_prefix(1);
  skip_spaces(s);
  auto last = take_number(s);
  if (!first && !last) return invalid;
  if (!first) return std::nullopt;  // a suffix: served from the end
  if (last && *first > *last) return invalid;
  if (*first >= size)
    return RangeRefusal{RangeRefusal::Kind::unsatisfiable,
                        "Invalid start position in Range header. Start position MUST be in "
                        "the inclusive range [0, " +
                            std::to_string(size - 1) + "]."};
  return std::nullopt;
}

}  // namespace glance::api::v2
