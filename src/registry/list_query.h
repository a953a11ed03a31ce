#pragma once

#include "common/error.h"
#include "common/http/query_string.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace glance::registry {

using common::Error;
using common::Result;

// The admin-only is_public list parameter.
enum class PublicFilter { unset, only_public, only_private, all };

// What Glance v2 adds to a list request: who sees what follows upstream v2 (community
// images, members' status), and the order is `sort`.
struct V2ListQuery {
  std::optional<std::string> visibility;   // private | public | shared | community
  std::string member_status = "accepted";  // pending | accepted | rejected | all
  bool os_hidden = false;
  std::vector<std::string> tags;  // every one must be on the image
  // created_at / updated_at against a MySQL DATETIME literal; op is an SQL comparison.
  struct TimeBound {
    std::string column, op, sql_time;
  };
  std::vector<TimeBound> times;
  // Exact matches on other image columns (owner, checksum, min_ram, ...).
  std::vector<std::pair<std::string, std::string>> columns;
  // The full order, upstream's created_at and id tie-breakers included; true = ascending.
  std::vector<std::pair<std::string, bool>> sort;
};

// A validated image list request. Pure data; the repository turns it
// into SQL with every value bound.
struct ListQuery {
  int64_t limit = 25;
  std::optional<std::string> marker;
  std::string sort_key = "created_at";  // one of kSortKeys
  bool sort_ascending = false;
  PublicFilter is_public = PublicFilter::unset;
  std::optional<bool> deleted;
  std::optional<std::string> changes_since;  // as a MySQL DATETIME literal, UTC

  // name/status/container_format/disk_format: equality, or an IN list for "in:a,b".
  struct Match {
    std::string column;
    std::vector<std::string> values;
  };
  std::vector<Match> matches;
  std::optional<int64_t> size_min, size_max, min_ram, min_disk;
  std::optional<bool> is_protected;
  std::vector<std::pair<std::string, std::string>> properties;  // property-<k>=<v>

  // Glance v2's list semantics, when set (the registry's /v2 resource).
  std::optional<V2ListQuery> v2;
};

// Parses and validates the query string; bad values give bad_request with Glance's
// messages. Unknown parameters are ignored, as upstream does; so is is_public, whatever its
// value, unless `caller_is_admin` (upstream's registry reads it for admins only).
Result<ListQuery> parse_list_query(const common::http::QueryParams& params, int64_t default_limit,
                                   int64_t max_limit, bool caller_is_admin);

// Glance v2's list query (upstream's images API deserializer and database filters): its
// 400 messages, and every parameter it does not know is a property filter, as upstream.
Result<ListQuery> parse_v2_list_query(const common::http::QueryParams& params,
                                      int64_t default_limit, int64_t max_limit);

}  // namespace glance::registry
