// MysqlImageRepository::list: the one query whose shape depends on the request. Its text is
// assembled from fixed fragments chosen by code; every value travels as a bound parameter.

#include "registry/db/image_rows.h"
#include "registry/db/mysql_image_repository.h"

#include "common/clock.h"

namespace glance::registry {

using common::Error;
using common::Image;

namespace {

// A column of the list order, its direction, and the value the marker row has in it. NULLs
// sort as '' or 0, as upstream's marker paging treats them. `expression` computes the value
// from the selected columns; `column` is the same value stored in the table (migration 6),
// which the list indexes hold.
struct OrderColumn {
  std::string expression;
  std::string column;
  SqlValue marker_value;
  bool ascending = false;
};

OrderColumn order_column(const std::string& key, const Image& marker, bool ascending) {
  auto text = [](const std::optional<std::string>& v) { return SqlValue(v.value_or("")); };
  auto sql_time = [](const std::string& wire) {
    return SqlValue(common::timestamp_to_sql(*common::parse_iso8601(wire)));
  };
  if (key == "name") return {"COALESCE(name, '')", "sort_name", text(marker.name), ascending};
  if (key == "container_format")
    return {"COALESCE(container_format, '')", "sort_container_format",
            text(marker.container_format), ascending};
  if (key == "disk_format")
    return {"COALESCE(disk_format, '')", "sort_disk_format", text(marker.disk_format), ascending};
  if (key == "status")
    return {"status", "status", std::string(common::to_string(marker.status)), ascending};
  if (key == "size") return {"COALESCE(size, 0)", "sort_size", marker.size.value_or(0), ascending};
  if (key == "updated_at")
    return {"COALESCE(updated_at, created_at)", "sort_updated_at",
            sql_time(marker.updated_at.value_or(marker.created_at)), ascending};
  if (key == "created_at")
    return {"created_at", "created_at", sql_time(marker.created_at), ascending};
  return {"id", "id", marker.id, ascending};
}

// v1: the sort key, then created_at (unless sorting by id) and id, all one way. v2: the
// parsed order, which already ends with its tie-breakers.
std::vector<OrderColumn> order_columns(const ListQuery& query, const Image& marker) {
  std::vector<std::pair<std::string, bool>> keys;
  if (query.v2) {
    keys = query.v2->sort;
  } else {
    const std::string& key = query.sort_key;
    if (key != "created_at" && key != "id") keys.emplace_back(key, query.sort_ascending);
    if (key != "id") keys.emplace_back("created_at", query.sort_ascending);
    keys.emplace_back("id", query.sort_ascending);
  }
  std::vector<OrderColumn> cols;
  for (const auto& [key, ascending] : keys) cols.push_back(order_column(key, marker, ascending));
  return cols;
}

// ORDER BY over the stored columns (`stored`) or over the selected ones.
std::string order_by(const std::vector<OrderColumn>& cols, bool stored) {
  std::string out;
  for (const auto& c : cols)
    out += (out.empty() ? "" : ", ") + (stored ? c.column : c.expression) +
           (c.ascending ? " ASC" : " DESC");
  return out;
}

class ListSql {
 public:
  void where(std::string fragment) { where_ += " AND " + fragment; }
  void bind(SqlValue v) { params_.push_back(std::move(v)); }
  std::string where_clause() const { return where_; }
  std::vector<SqlValue>& params() { return params_; }
  const std::vector<SqlValue>& params() const { return params_; }

 private:
  std::string where_;
  std::vector<SqlValue> params_;
};

// One arm of the list: the rows of one index range. Visibility is an OR of public, the
// caller's own and shared with the caller; MySQL can walk no index in list order for an OR
// (it sorts every visible row), so each disjunct is its own arm, read in index order up to
// the page size, and the arms are merged (upstream's query is the one OR).
struct Arm {
  std::string from = "images";  // the member arm joins the caller's memberships first
  std::vector<SqlValue> from_params;
  ListSql sql;
  // The leading column of the arm's sort indexes (migration 6), if it has them.
  std::string index_family;
};

// The index of `family` ("visibility" or "owner") that holds rows in the order of `cols`, if
// one does: (family, deleted, key, created_at, id), all one direction.
std::optional<std::string> sort_index(const std::string& family,
                                      const std::vector<OrderColumn>& cols) {
  static const std::pair<std::string_view, std::string_view> kSuffixes[] = {
      {"sort_name", "name"},        {"status", "status"},  {"sort_container_format", "container"},
      {"sort_disk_format", "disk"}, {"sort_size", "size"}, {"sort_updated_at", "updated"},
      {"created_at", "created"},    {"id", "id"}};
  if (family.empty() || cols.empty()) return std::nullopt;
  for (const auto& c : cols)
    if (c.ascending != cols.front().ascending) return std::nullopt;
  const std::string& key = cols.front().column;
  // id is unique: nothing after it changes the order.
  if (key != "id") {
    std::vector<std::string> want{key};
    if (key != "created_at") want.push_back("created_at");
    want.push_back("id");
    if (cols.size() != want.size()) return std::nullopt;
    for (size_t i = 0; i < want.size(); ++i)
      if (cols[i].column != want[i]) return std::nullopt;
  }
  for (const auto& [column, suffix] : kSuffixes)
    if (column == key) {
      if (family == "visibility" && key == "created_at") return "visibility_image_idx";
      return "ix_images_" + std::string(family == "visibility" ? "vis" : "owner") + "_" +
             std::string(suffix);
    }
  return std::nullopt;
}

// Whether the arms should walk their sort index whatever the optimizer estimates: it
// otherwise picks an index on the ORDER BY alone (created_at) and filters, or a deleted
// index whose range ignores the marker, reading rows in proportion to the table. Not when
// another condition may be far more selective than the arm (changes-since and the column
// filters, which have their own indexes).
bool walks_sort_index(const ListQuery& query) {
  if (query.changes_since || !query.matches.empty()) return false;
  if (query.v2 && (!query.v2->times.empty() || !query.v2->columns.empty())) return false;
  return true;
}

Arm visibility_arm(std::string_view visibility) {
  Arm a;
  a.index_family = "visibility";
  a.sql.where("visibility = ?");
  a.sql.bind(std::string(visibility));
  return a;
}

Arm owner_arm(const std::string& owner) {
  Arm a;
  a.index_family = "owner";
  a.sql.where("owner = ?");
  a.sql.bind(owner);
  return a;
}

// Shared images with a live membership of `member` (and the asked status, if any).
Arm member_arm(const std::string& member, const std::optional<std::string>& status) {
  Arm a;
  a.from = "(SELECT DISTINCT image_id FROM image_members WHERE member = ? AND deleted = 0" +
           std::string(status ? " AND status = ?" : "") +
           ") mm STRAIGHT_JOIN images ON images.id = mm.image_id";
  a.from_params.push_back(member);
  if (status) a.from_params.push_back(*status);
  a.sql.where("visibility = 'shared'");
  return a;
}

// Which rows the caller may list, as arms whose union is exactly those rows. No arms: all.
std::vector<Arm> visibility_arms(const common::RequestContext& ctx, PublicFilter is_public) {
  std::vector<Arm> arms;
  if (ctx.is_admin && is_public == PublicFilter::all) {
    for (auto v : {"private", "public", "shared", "community"}) arms.push_back(visibility_arm(v));
    return arms;
  }
  if (ctx.is_admin && is_public == PublicFilter::only_private) {
    for (auto v : {"private", "shared", "community"}) arms.push_back(visibility_arm(v));
    return arms;
  }
  const auto& owner = ctx.owner();
  arms.push_back(visibility_arm("public"));
  // Upstream also lists shared images with any member to an ownerless caller; that leaks
  // them, so an ownerless caller lists public images only.
  if (!owner) return arms;
  arms.push_back(owner_arm(*owner));
  arms.push_back(member_arm(*owner, std::nullopt));
  return arms;
}

// Upstream v2's rule: public and community images, the caller's own, and shared images
// whose membership of the caller has the asked status; with no visibility asked,
// community images only if they are the caller's. Admins see every image.
std::vector<Arm> v2_visibility_arms(const common::RequestContext& ctx, const V2ListQuery& v2) {
  const auto& owner = ctx.owner();
  std::vector<Arm> arms;
  if (ctx.is_admin) {
    // Community images are listed only when asked for or the caller's.
    for (auto v : {"private", "public", "shared", "community"}) {
      if (v2.visibility && *v2.visibility != v) continue;
      arms.push_back(visibility_arm(v));
      if (std::string_view(v) == "community" && !v2.visibility) {
        if (!owner) {
          arms.pop_back();
        } else {
          arms.back().sql.where("owner = ?");
          arms.back().sql.bind(*owner);
        }
      }
    }
  } else {
    // Public ones; community ones only when asked for (the caller's own come with the owner
    // arm); the caller's own; shared with the caller.
    arms.push_back(visibility_arm("public"));
    if (v2.visibility == "community") arms.push_back(visibility_arm("community"));
    if (owner) {
      arms.push_back(owner_arm(*owner));
      std::optional<std::string> status;
      if (v2.member_status != "all") status = v2.member_status;
      arms.push_back(member_arm(*owner, status));
    }
    if (v2.visibility)
      for (auto& a : arms) {
        a.sql.where("visibility = ?");
        a.sql.bind(*v2.visibility);
      }
  }
  return arms;
}

void add_v2_filters(ListSql& q, const V2ListQuery& v2) {
  q.where("os_hidden = ?");
  q.bind(int64_t{v2.os_hidden});
  for (const auto& tag : v2.tags) {
    q.where(
        "EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id AND t.deleted = 0 AND "
        "t.value = ?)");
    q.bind(tag);
  }
  // Columns and operators come from fixed sets checked by parse_v2_list_query.
  for (const auto& t : v2.times) {
    q.where(t.column + " " + t.op + " ?");
    q.bind(t.sql_time);
  }
  for (const auto& [column, value] : v2.columns) {
    q.where(column + " = ?");
    q.bind(value);
  }
}

void add_liveness(ListSql& q, const common::RequestContext& ctx, const ListQuery& query) {
  if (ctx.is_admin && query.deleted) {
    q.where(*query.deleted ? "deleted = 1" : "deleted = 0 AND status <> 'killed'");
  } else if (!query.changes_since) {
    q.where("deleted = 0 AND status <> 'killed'");
  }
  if (query.changes_since) {
    q.where("updated_at > ?");
    q.bind(*query.changes_since);
  }
}

void add_filters(ListSql& q, const ListQuery& query) {
  for (const auto& m : query.matches) {
    // The column comes from a fixed set checked by parse_list_query.
    std::string marks;
    for (size_t i = 0; i < m.values.size(); ++i) {
      marks += i ? ", ?" : "?";
      q.bind(m.values[i]);
    }
    q.where(m.column + " IN (" + marks + ")");
  }
  auto compare = [&](const std::optional<int64_t>& v, const char* fragment) {
    if (!v) return;
    q.where(fragment);
    q.bind(*v);
  };
  compare(query.size_min, "size >= ?");
  compare(query.size_max, "size <= ?");
  compare(query.min_ram, "min_ram = ?");
  compare(query.min_disk, "min_disk = ?");
  if (query.is_protected) {
    q.where("protected = ?");
    q.bind(int64_t{*query.is_protected});
  }
  for (const auto& [name, value] : query.properties) {
    q.where(
        "EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = images.id AND "
        "p.deleted = 0 AND p.name = ? AND p.value = ?)");
    q.bind(name);
    q.bind(value);
  }
}

// Keyset paging: rows strictly after the marker in the composite order, spelled
// "c1 > v1 OR (c1 = v1 AND (c2 > v2 OR ...))" so that MySQL can range-scan an index.
void add_keyset(ListSql& q, const std::vector<OrderColumn>& cols) {
  std::string clause;
  for (size_t i = cols.size(); i-- > 0;) {
    std::string strict = cols[i].column + (cols[i].ascending ? " > ?" : " < ?");
    clause = clause.empty() ? strict
                            : "(" + strict + " OR (" + cols[i].column + " = ? AND " + clause + "))";
  }
  q.where(clause);
  // Bind in text order: c1, c1, c2, c2, ..., cn.
  for (size_t i = 0; i < cols.size(); ++i) {
    q.bind(cols[i].marker_value);
    if (i + 1 < cols.size()) q.bind(cols[i].marker_value);
  }
}

}  // namespace

Result<std::vector<Image>> MysqlImageRepository::list(MysqlConnection& db,
                                                      const common::RequestContext& ctx,
                                                      const ListQuery& query, bool detail) {
  if (query.limit == 0) return std::vector<Image>{};
  // Conditions every arm shares.
  ListSql q;
  add_liveness(q, ctx, query);
  if (query.v2) add_v2_filters(q, *query.v2);
  add_filters(q, query);

  Image marker;
  if (query.marker) {
    auto found = find_visible_image(db, ctx, *query.marker, false, "");
    if (!found) {
      if (found.error().code() == common::Errc::not_found)
        return Error::bad_request(query.v2 ? "No image found with ID " + *query.marker
                                           : "Invalid marker. Image could not be found.");
      return found.error();
    }
    marker = std::move(*found);
  }
  auto columns = order_columns(query, marker);
  ListSql keyset;
  if (query.marker) add_keyset(keyset, columns);

  std::vector<Arm> arms =
      query.v2 ? v2_visibility_arms(ctx, *query.v2) : visibility_arms(ctx, query.is_public);
  if (arms.empty()) arms.emplace_back();
  // Each arm: its own first `limit` rows after the marker, in index order.
  std::string sql;
  std::vector<SqlValue> params;
  for (const auto& arm : arms) {
    std::string from = arm.from;
    if (walks_sort_index(query))
      if (auto index = sort_index(arm.index_family, columns))
        from += " FORCE INDEX (" + *index + ")";
    std::string text = "SELECT " + std::string(kImageColumns) + " FROM " + from + " WHERE 1 = 1" +
                       q.where_clause() + arm.sql.where_clause() + keyset.where_clause() +
                       " ORDER BY " + order_by(columns, true) + " LIMIT ?";
    for (const auto* part : std::initializer_list<const std::vector<SqlValue>*>{
             &arm.from_params, &q.params(), &arm.sql.params(), &keyset.params()})
      params.insert(params.end(), part->begin(), part->end());
    params.emplace_back(query.limit);
    sql += arms.size() == 1 ? text : (sql.empty() ? "(" : " UNION (") + text + ")";
  }
  // UNION (not ALL): an image can be in two arms (the caller's own public image).
  if (arms.size() > 1) {
    sql = "SELECT * FROM (" + sql + ") arms ORDER BY " + order_by(columns, false) + " LIMIT ?";
    params.emplace_back(query.limit);
  }
  auto rows = db.query(sql, params);
  if (!rows) return rows.error();
  std::vector<Image> images;
  images.reserve(rows->size());
  for (const auto& row : *rows) images.push_back(image_from_row(row));
  if (detail)
    if (auto r = load_details(db, images); !r) return r.error();
  return images;
}

}  // namespace glance::registry
