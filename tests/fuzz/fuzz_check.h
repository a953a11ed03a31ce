#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace glance::fuzz {

// A broken invariant is a finding like a crash: libFuzzer saves the input that aborted.
inline void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// True when `s` holds a byte that would split a header or a log line.
inline bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace glance::fuzz
