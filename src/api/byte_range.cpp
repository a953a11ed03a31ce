#include "api/byte_range.h"

#include <charconv>
#include <string>

namespace glance::api {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits only: no sign, no blanks, at least one digit, no overflow.
std::optional<uint64_t> position(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

RangeAnswer partial(uint64_t first, uint64_t last) {
  return {RangeAnswer::Kind::partial, first, last - first + 1};
}

}  // namespace

RangeAnswer answer_range(std::optional<std::string_view> header, uint64_t size) {
  const RangeAnswer whole;
  const RangeAnswer unsatisfiable{RangeAnswer::Kind::unsatisfiable, 0, 0};
  if (!header) return whole;
  auto value = trim(*header);
  constexpr std::string_view kUnit = "bytes=";
  if (!value.starts_with(kUnit)) return whole;
  value = trim(value.substr(kUnit.size()));
  if (value.find(',') != std::string_view::npos) return whole;
  auto dash = value.find('-');
  if (dash == std::string_view::npos) return whole;
  auto first_text = trim(value.substr(0, dash));
  auto last_text = trim(value.substr(dash + 1));

  if (first_text.empty()) {  // "-n": the last n bytes
    auto suffix = position(last_text);
    if (!suffix) return whole;
    if (*suffix == 0 || size == 0) return unsatisfiable;
    return partial(size - std::min(*suffix, size), size - 1);
  }
  auto first = position(first_text);
  if (!first) return whole;
  std::optional<uint64_t> last;
  if (!last_text.empty()) {
    last = position(last_text);
    if (!last || *last < *first) return whole;  // invalid, so ignored
  }
  if (*first >= size) return unsatisfiable;
  return partial(*first, std::min(last.value_or(size - 1), size - 1));
}

std::string content_range(const RangeAnswer& range, uint64_t size) {
  return "bytes " + std::to_string(range.offset) + "-" +
         std::to_string(range.offset + range.length - 1) + "/" + std::to_string(size);
}

}  // namespace glance::api
