// The registry's image list query (GET /images, /images/detail), from the raw query string.
#include "common/http/query_string.h"
#include "registry/list_query.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kDefaultLimit = 25, kMaxLimit = 1000;
  auto params = glance::common::http::parse_query(glance::fuzz::as_text(data, size));
  if (!params) return 0;
  auto query = glance::registry::parse_list_query(*params, kDefaultLimit, kMaxLimit, true);
  if (!query) {
    check(!query.error().message().empty(), "a refused query says why");
    return 0;
  }
  check(query->limit >= 0 && query->limit <= kMaxLimit, "the limit is within [0, max]");
  check(!query->sort_key.empty(), "a sort key is always chosen");
  for (const auto& match : query->matches) {
    check(!match.column.empty(), "a filter names its column");
    check(!match.values.empty(), "a filter has at least one value");
  }
  for (auto bound : {query->size_min, query->size_max, query->min_ram, query->min_disk})
    check(!bound || *bound >= 0, "size and resource filters are never negative");
  return 0;
}
