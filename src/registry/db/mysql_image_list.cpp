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
// sort as '' or 0, as upstream's marker paging treats them.
struct OrderColumn {
  std::string expression;
  SqlValue marker_value;
  bool ascending = false;
};

OrderColumn order_column(const std::string& key, const Image& marker, bool ascending) {
  auto text = [](const std::optional<std::string>& v) { return SqlValue(v.value_or("")); };
  auto sql_time = [](const std::string& wire) {
    return SqlValue(common::timestamp_to_sql(*common::parse_iso8601(wire)));
  };
  if (key == "name") return {"COALESCE(name, '')", text(marker.name), ascending};
  if (key == "container_format")
    return {"COALESCE(container_format, '')", text(marker.container_format), ascending};
  if (key == "disk_format")
    return {"COALESCE(disk_format, '')", text(marker.disk_format), ascending};
  if (key == "status") return {"status", std::string(common::to_string(marker.status)), ascending};
  if (key == "size") return {"COALESCE(size, 0)", marker.size.value_or(0), ascending};
  if (key == "updated_at")
    return {"COALESCE(updated_at, created_at)",
            sql_time(marker.updated_at.value_or(marker.created_at)), ascending};
  if (key == "created_at") return {"created_at", sql_time(marker.created_at), ascending};
  return {"id", marker.id, ascending};
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

std::string order_by(const std::vector<OrderColumn>& cols) {
  std::string out;
  for (const auto& c : cols)
    out += (out.empty() ? "" : ", ") + c.expression + (c.ascending ? " ASC" : " DESC");
  return out;
}

class ListSql {
 public:
  void where(std::string fragment) { where_ += " AND " + fragment; }
  void bind(SqlValue v) { params_.push_back(std::move(v)); }
  std::string where_clause() const { return where_; }
  std::vector<SqlValue>& params() { return params_; }

 private:
  std::string where_;
  std::vector<SqlValue> params_;
};

// Which rows the caller may list.
void add_visibility(ListSql& q, const common::RequestContext& ctx, PublicFilter is_public) {
  if (ctx.is_admin && is_public == PublicFilter::all) return;
  if (ctx.is_admin && is_public == PublicFilter::only_private) {
    q.where("visibility <> 'public'");
    return;
  }
  const auto& owner = ctx.owner();
  if (!owner) {
    // Upstream also lists shared images with any member to an ownerless caller; that leaks
    // them, so an ownerless caller lists public images only.
    q.where("visibility = 'public'");
    return;
  }
  q.where(
      "(visibility = 'public' OR owner = ? OR (visibility = 'shared' AND EXISTS (SELECT 1 FROM "
      "image_members m WHERE m.image_id = images.id AND m.member = ? AND m.deleted = 0)))");
  q.bind(*owner);
  q.bind(*owner);
}

// Upstream v2's rule: public and community images, the caller's own, and shared images
// whose membership of the caller has the asked status; with no visibility asked,
// community images only if they are the caller's. Admins see every image.
void add_v2_visibility(ListSql& q, const common::RequestContext& ctx, const V2ListQuery& v2) {
  const auto& owner = ctx.owner();
  if (!ctx.is_admin) {
    if (!owner) {
      // Upstream also lists shared images with any member to an ownerless caller; that leaks
      // them, as in v1.
      q.where("visibility IN ('public', 'community')");
    } else {
      std::string member = "m.image_id = images.id AND m.member = ? AND m.deleted = 0";
      if (v2.member_status != "all") member += " AND m.status = ?";
      q.where(
          "(visibility IN ('public', 'community') OR owner = ? OR (visibility = 'shared' AND "
          "EXISTS (SELECT 1 FROM image_members m WHERE " +
          member + ")))");
      q.bind(*owner);
      q.bind(*owner);
      if (v2.member_status != "all") q.bind(v2.member_status);
    }
  }
  if (v2.visibility) {
    q.where("visibility = ?");
    q.bind(*v2.visibility);
  } else if (!owner) {
    q.where("visibility <> 'community'");
  } else {
    q.where("(owner = ? OR visibility <> 'community')");
    q.bind(*owner);
  }
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
    std::string strict = cols[i].expression + (cols[i].ascending ? " > ?" : " < ?");
    clause = clause.empty()
                 ? strict
                 : "(" + strict + " OR (" + cols[i].expression + " = ? AND " + clause + "))";
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
  ListSql q;
  add_liveness(q, ctx, query);
  if (query.v2) {
    add_v2_visibility(q, ctx, *query.v2);
    add_v2_filters(q, *query.v2);
  } else {
    add_visibility(q, ctx, query.is_public);
  }
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
  if (query.marker) add_keyset(q, columns);
  q.bind(query.limit);
  std::string sql = "SELECT " + std::string(kImageColumns) + " FROM images WHERE 1 = 1" +
                    q.where_clause() + " ORDER BY " + order_by(columns) + " LIMIT ?";
  auto rows = db.query(sql, q.params());
  if (!rows) return rows.error();
  std::vector<Image> images;
  images.reserve(rows->size());
  for (const auto& row : *rows) images.push_back(image_from_row(row));
  if (detail)
    if (auto r = load_details(db, images); !r) return r.error();
  return images;
}

}  // namespace glance::registry
