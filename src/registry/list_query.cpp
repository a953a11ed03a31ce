#include "registry/list_query.h"

#include "common/clock.h"
#include "common/http/headers.h"
#include "common/image_id.h"

#include <algorithm>
#include <charconv>

namespace glance::registry {

using common::Error;
using common::Result;

namespace {
constexpr std::string_view kSortKeys[] = {"name", "status", "container_format", "disk_format",
                                          "size", "id",     "created_at",       "updated_at"};

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "in:a,b,\"c,d\"" → {a, b, c,d}.
std::vector<std::string> split_in_list(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : s) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.push_back(std::exchange(cur, {}));
    else
      cur.push_back(c);
  }
  out.push_back(cur);
  return out;
}

// Upstream's "<op>:<value>" syntax for the exact-match filters; a value that is itself a
// timestamp is a plain value.
Result<ListQuery::Match> parse_match(const std::string& column, const std::string& value) {
  auto colon = value.find(':');
  if (colon == std::string::npos || common::parse_iso8601(value))
    return ListQuery::Match{column, {value}};
  std::string op = value.substr(0, colon);
  std::string rest = value.substr(colon + 1);
  if (op == "eq") return ListQuery::Match{column, {rest}};
  if (op == "in") return ListQuery::Match{column, split_in_list(rest)};
  // Upstream fails with a 500 here; an unknown operator is the caller's mistake.
  return Error::bad_request("Invalid operator '" + op + "' in filter " + column);
}

Result<int64_t> non_negative_filter(const std::string& key, const std::string& value) {
  auto v = parse_int(value);
  if (!v || *v < 0)
    return Error::bad_request("Bad value passed to filter " + key + " got " + value);
  return *v;
}
}  // namespace

Result<ListQuery> parse_list_query(const common::http::QueryParams& params, int64_t default_limit,
                                   int64_t max_limit, bool caller_is_admin) {
  ListQuery q;
  q.limit = default_limit;
  for (const auto& [key, value] : params) {
    if (key == "limit") {
      auto v = parse_int(value);
      if (!v) return Error::bad_request("limit param must be an integer");
      if (*v < 0) return Error::bad_request("limit param must be positive");
      q.limit = *v;
    } else if (key == "marker") {
      if (!common::is_uuid_like(value)) return Error::bad_request("Invalid marker format");
      q.marker = value;
    } else if (key == "sort_key") {
      if (std::find(std::begin(kSortKeys), std::end(kSortKeys), value) == std::end(kSortKeys))
        return Error::bad_request(
            "Unsupported sort_key. Acceptable values: name, status, container_format, "
            "disk_format, size, id, created_at, updated_at");
      q.sort_key = value;
    } else if (key == "sort_dir") {
      if (value != "asc" && value != "desc")
        return Error::bad_request("Unsupported sort_dir. Acceptable values: asc, desc");
      q.sort_ascending = value == "asc";
    } else if (key == "is_public" && caller_is_admin) {
      std::string v = common::http::to_lower(value);
      if (v == "none")
        q.is_public = PublicFilter::all;
      else if (v == "true" || v == "1")
        q.is_public = PublicFilter::only_public;
      else if (v == "false" || v == "0")
        q.is_public = PublicFilter::only_private;
      else
        return Error::bad_request("is_public must be None, True, or False");
    } else if (key == "deleted") {
      std::string v = common::http::to_lower(value);
      q.deleted = v == "1" || v == "t" || v == "true" || v == "on" || v == "y" || v == "yes";
    } else if (key == "changes-since") {
      auto ts = common::parse_iso8601(value);
      if (!ts) return Error::bad_request("Unrecognized changes-since value");
      q.changes_since = common::timestamp_to_sql(*ts);
    } else if (key == "name" || key == "status" || key == "container_format" ||
               key == "disk_format") {
      auto m = parse_match(key, value);
      if (!m) return m.error();
      q.matches.push_back(std::move(*m));
    } else if (key == "size_min" || key == "size_max" || key == "min_ram" || key == "min_disk") {
      auto v = non_negative_filter(key, value);
      if (!v) return v.error();
      (key == "size_min"   ? q.size_min
       : key == "size_max" ? q.size_max
       : key == "min_ram"  ? q.min_ram
                           : q.min_disk) = *v;
    } else if (key == "protected") {
      std::string v = common::http::to_lower(value);
      if (v == "true" || v == "1")
        q.is_protected = true;
      else if (v == "false" || v == "0")
        q.is_protected = false;
      else
        return Error::bad_request("protected must be True, or False");
    } else if (key.starts_with("property-") && key.size() > 9) {
      q.properties.emplace_back(key.substr(9), value);
    }
  }
  q.limit = std::min(q.limit, max_limit);
  return q;
}

}  // namespace glance::registry
