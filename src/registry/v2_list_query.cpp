// parse_v2_list_query: Glance v2's GET /v2/images parameters, validated with upstream's
// messages before any SQL is built.

#include "registry/list_query.h"

#include "common/clock.h"
#include "common/http/headers.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace glance::registry {

using common::Error;
using common::Result;

namespace {
constexpr std::string_view kSortKeys[] = {"name", "status", "container_format", "disk_format",
                                          "size", "id",     "created_at",       "updated_at"};
// Image columns a plain key=value filter compares exactly; any other key is a property.
constexpr std::string_view kExactColumns[] = {"owner",         "checksum",    "os_hash_algo",
                                              "os_hash_value", "min_ram",     "min_disk",
                                              "size",          "virtual_size"};
constexpr std::string_view kMatchColumns[] = {"name", "id", "status", "container_format",
                                              "disk_format"};

template <size_t N>
bool one_of(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "op:value"; a value that is itself an ISO 8601 time keeps its colons (upstream's
// split_filter_op).
std::pair<std::string, std::string> split_op(const std::string& expression) {
  auto colon = expression.find(':');
  if (colon == std::string::npos || common::parse_iso8601(expression)) return {"eq", expression};
  return {expression.substr(0, colon), expression.substr(colon + 1)};
}

// The values of "in:a,\"b,c\"" as upstream's api-wg rule splits them.
Result<std::vector<std::string>> split_in_list(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    std::string cur;
    if (s[i] == '"') {
      size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        cur.push_back(s[j]);
      }
      if (j >= s.size())
        return Error::bad_request("Invalid filter value " + std::string(s) +
                                  ". The quote is not closed.");
      i = j + 1;
      if (i < s.size() && s[i] == ',') ++i;
    } else {
      size_t j = s.find(',', i);
      if (j == std::string_view::npos) j = s.size();
      cur = std::string(s.substr(i, j - i));
      i = j + 1;
    }
    out.push_back(std::move(cur));
  }
  if (out.empty()) out.emplace_back();
  return out;
}

Result<ListQuery::Match> parse_match(const std::string& column, const std::string& value) {
  auto [op, rest] = split_op(value);
  if (op == "eq") return ListQuery::Match{column, {rest}};
  if (op == "in") {
    auto values = split_in_list(rest);
    if (!values) return values.error();
    return ListQuery::Match{column, std::move(*values)};
  }
  return Error::bad_request("Unable to filter by unknown operator '" + op + "'.");
}

Result<V2ListQuery::TimeBound> parse_time_bound(const std::string& column,
                                                const std::string& value) {
  auto [op, text] = split_op(value);
  auto when = common::parse_iso8601(text);
  if (!when)
    return Error::bad_request("Bad \"" + column +
                              "\" query filter format. Use ISO 8601 DateTime notation.");
  static const std::pair<std::string_view, std::string_view> kOps[] = {
      {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}, {"neq", "<>"}, {"eq", "="}};
  for (const auto& [name, sql] : kOps)
    if (op == name)
      return V2ListQuery::TimeBound{column, std::string(sql), common::timestamp_to_sql(*when)};
  return Error::bad_request("Unable to filter on a unknown operator.");
}

Result<std::string> sort_key(std::string_view key) {
  key = trim(key);
  if (one_of(key, kSortKeys)) return std::string(key);
  return Error::bad_request(
      "Invalid sort key: " + std::string(key) +
      ". It must be one of the following: name, status, container_format, disk_format, size, "
      "id, created_at, updated_at.");
}

Result<bool> sort_ascending(std::string_view dir) {
  dir = trim(dir);
  if (dir == "asc" || dir == "desc") return dir == "asc";
  return Error::bad_request("Invalid sort direction: " + std::string(dir));
}

// Both of upstream's syntaxes: sort=k1:dir,k2 or repeated sort_key/sort_dir. Then
// created_at and id break ties, in the default direction (the one direction given, else desc).
Result<std::vector<std::pair<std::string, bool>>> parse_sort(
    const common::http::QueryParams& params) {
  std::optional<std::string> sort;
  std::vector<std::string> keys;
  std::vector<bool> dirs;
  for (const auto& [k, v] : params) {
    if (k == "sort") sort = v;
    if (k == "sort_key") {
      auto key = sort_key(v);
      if (!key) return key.error();
      keys.push_back(*key);
    }
    if (k == "sort_dir") {
      auto asc = sort_ascending(v);
      if (!asc) return asc.error();
      dirs.push_back(*asc);
    }
  }
  if (sort) {
    if (!keys.empty() || !dirs.empty())
      return Error::bad_request("Old and new sorting syntax cannot be combined");
    std::string_view rest = trim(*sort);
    while (true) {
      auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      auto colon = item.find(':');
      auto key = sort_key(item.substr(0, colon));
      if (!key) return key.error();
      std::string_view dir = colon == std::string_view::npos ? "" : item.substr(colon + 1);
      if (trim(dir).empty()) dir = "desc";
      auto asc = sort_ascending(dir);
      if (!asc) return asc.error();
      keys.push_back(*key);
      dirs.push_back(*asc);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  } else if (dirs.size() > 1 && dirs.size() != keys.size()) {
    return Error::bad_request("Number of sort dirs does not match the number of sort keys");
  }
  if (keys.empty()) keys.push_back("created_at");
  bool default_asc = dirs.size() == 1 ? dirs.front() : false;
  if (dirs.empty()) dirs.push_back(false);
  if (dirs.size() == 1) dirs.resize(keys.size(), dirs.front());
  std::vector<std::pair<std::string, bool>> out;
  for (size_t i = 0; i < keys.size(); ++i) out.emplace_back(keys[i], dirs[i]);
  for (const char* tie : {"created_at", "id"})
    if (std::find(keys.begin(), keys.end(), tie) == keys.end()) out.emplace_back(tie, default_asc);
  return out;
}

// The last value of `key`, as upstream's request.params gives one.
std::optional<std::string> last(const common::http::QueryParams& params, std::string_view key) {
  std::optional<std::string> out;
  for (const auto& [k, v] : params)
    if (k == key) out = v;
  return out;
}

Result<void> parse_filter(ListQuery& q, const std::string& key, const std::string& value) {
  V2ListQuery& v2 = *q.v2;
  if (key == "visibility") {
    if (value.empty()) return {};  // upstream ignores an empty visibility
    if (value != "community" && value != "public" && value != "private" && value != "shared")
      return Error::bad_request("Invalid visibility value: " + value);
    v2.visibility = value;
  } else if (key == "changes-since") {
    return Error::bad_request("The \"changes-since\" filter is no longer available on v2.");
  } else if (key == "os_hidden") {
    std::string v = common::http::to_lower(value);
    if (v != "true" && v != "false")
      return Error::bad_request("Invalid value '" + value +
                                "' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
    v2.os_hidden = v == "true";
  } else if (key == "protected") {
    if (value != "true" && value != "false")
      return Error::bad_request("Invalid value '" + value +
                                "' for 'protected' filter. Valid values are 'true' or 'false'.");
    q.is_protected = value == "true";
  } else if (key == "size_min" || key == "size_max") {
    auto v = parse_int(value);
    if (!v) return Error::bad_request("Unable to filter on a range with a non-numeric value.");
    (key == "size_min" ? q.size_min : q.size_max) = *v;
  } else if (key == "created_at" || key == "updated_at") {
    auto bound = parse_time_bound(key, value);
    if (!bound) return bound.error();
    v2.times.push_back(std::move(*bound));
  } else if (one_of(key, kMatchColumns)) {
    auto m = parse_match(key, value);
    if (!m) return m.error();
    q.matches.push_back(std::move(*m));
  } else if (one_of(key, kExactColumns)) {
    v2.columns.emplace_back(key, value);
  } else {
    q.properties.emplace_back(key, value);
  }
  return {};
}
}  // namespace

Result<ListQuery> parse_v2_list_query(const common::http::QueryParams& params,
                                      int64_t default_limit, int64_t max_limit) {
  ListQuery q;
  q.v2.emplace();
  q.limit = default_limit;
  q.deleted = false;
  std::set<std::string> seen;
  for (const auto& [key, value] : params) {
    if (key == "tag") q.v2->tags.emplace_back(trim(value));
    if (key == "tag" || key == "sort" || key == "sort_key" || key == "sort_dir" ||
        !seen.insert(key).second)
      continue;
    auto v = *last(params, key);
    if (key == "limit") {
      auto n = parse_int(v);
      if (!n) return Error::bad_request("limit param must be an integer");
      if (*n < 0) return Error::bad_request("limit param must be positive");
      q.limit = *n;
    } else if (key == "marker") {
      q.marker = v;
    } else if (key == "member_status") {
      if (v != "pending" && v != "accepted" && v != "rejected" && v != "all")
        return Error::bad_request("Invalid status: " + v);
      q.v2->member_status = v;
    } else if (key == "deleted") {
      continue;  // upstream's v2 always lists live images only
    } else if (auto r = parse_filter(q, key, v); !r) {
      return r.error();
    }
  }
  auto sort = parse_sort(params);
  if (!sort) return sort.error();
  q.v2->sort = std::move(*sort);
  q.limit = std::min(q.limit, max_limit);
  return q;
}

}  // namespace glance::registry
