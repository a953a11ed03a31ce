// The registry's Glance v2 list query (GET /v2/images/detail), from the raw query string.
// Column names and operators reach the SQL text, so they must come from fixed sets.
#include "common/http/query_string.h"
#include "registry/list_query.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <set>
#include <string>

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kDefaultLimit = 25, kMaxLimit = 1000;
  auto params = glance::common::http::parse_query(glance::fuzz::as_text(data, size));
  if (!params) return 0;
  auto query = glance::registry::parse_v2_list_query(*params, kDefaultLimit, kMaxLimit);
  if (!query) {
    check(!query.error().message().empty(), "a refused query says why");
    return 0;
  }
  check(query->v2.has_value(), "a v2 query carries its v2 part");
  check(query->limit >= 0 && query->limit <= kMaxLimit, "the limit is within [0, max]");
  static const std::set<std::string> sort_keys = {"name",        "status",    "container_format",
                                                  "disk_format", "size",      "id",
                                                  "created_at",  "updated_at"};
  const auto& sort = query->v2->sort;
  check(!sort.empty(), "an order is always chosen");
  std::set<std::string> seen;
  for (const auto& [key, asc] : sort) {
    check(sort_keys.count(key) == 1, "sort keys come from the fixed set");
    seen.insert(key);
  }
  check(seen.count("id") == 1 && seen.count("created_at") == 1, "ties are always broken");
  static const std::set<std::string> match_columns = {"name", "id", "status", "container_format",
                                                      "disk_format"};
  for (const auto& m : query->matches) {
    check(match_columns.count(m.column) == 1, "match columns come from the fixed set");
    check(!m.values.empty(), "a filter has at least one value");
  }
  static const std::set<std::string> exact = {"owner",         "checksum",    "os_hash_algo",
                                              "os_hash_value", "min_ram",     "min_disk",
                                              "size",          "virtual_size"};
  for (const auto& [column, value] : query->v2->columns)
    check(exact.count(column) == 1, "exact columns come from the fixed set");
  static const std::set<std::string> ops = {">", ">=", "<", "<=", "<>", "="};
  for (const auto& t : query->v2->times) {
    check(t.column == "created_at" || t.column == "updated_at", "time columns are fixed");
    check(ops.count(t.op) == 1, "time operators are fixed");
  }
  static const std::set<std::string> statuses = {"pending", "accepted", "rejected", "all"};
  check(statuses.count(query->v2->member_status) == 1, "member status is one of four");
  return 0;
}
