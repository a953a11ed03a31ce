#pragma once

#include "tests/support/http_client.h"

#include <cstddef>
#include <random>
#include <string>

namespace glance::testing {

// `n` pseudo-random bytes; the same `seed` gives the same bytes, so a test can make its data
// again to compare with what it reads back.
inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

// `base` followed by `more`: a request's usual headers plus the ones one call adds.
inline HeaderList with(HeaderList base, const HeaderList& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

}  // namespace glance::testing
