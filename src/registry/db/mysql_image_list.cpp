// MysqlImageRepository::list: the one query whose shape depends on the request. Its text is
// assembled from fixed fragments chosen by code; every value travels as a bound parameter.

#include "registry/db/image_rows.h"
#include "registry/db/mysql_image_repository.h"

namespace glance::registry {

using common::Error;
using common::Image;

namespace {

// Sort expressions. NULLs sort as '' or 0, as upstream's marker paging treats them.
std::string sort_expression(const std::string& key) {
  if (key == "name" || key == "container_format" || key == "disk_format")
    return "COALESCE(" + key + ", '')";
  if (key == "size") return "COALESCE(size, 0)";
  if (key == "updated_at") return "COALESCE(updated_at, '1000-01-01')";
  return key;  // status, id, created_at: NOT NULL columns
}

// The ordered columns: the sort key, then created_at and id as tie-breakers.
std::vector<std::string> order_columns(const std::string& key) {
  std::vector<std::string> cols{sort_expression(key)};
  if (key != "created_at" && key != "id") cols.push_back("created_at");
  if (key != "id") cols.push_back("id");
  return cols;
}

std::string join(const std::vector<std::string>& parts, const std::string& suffix) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p + suffix;
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

// Which rows the caller may list (spec §2.3.2).
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

}  // namespace

Result<std::vector<Image>> MysqlImageRepository::list(const common::RequestContext& ctx,
                                                      const ListQuery& query, bool detail) {
  MysqlConnection& db = connection_();
  if (query.limit == 0) return std::vector<Image>{};
  ListSql q;
  add_liveness(q, ctx, query);
  add_visibility(q, ctx, query.is_public);
  add_filters(q, query);

  auto columns = order_columns(query.sort_key);
  const std::string direction = query.sort_ascending ? " ASC" : " DESC";
  if (query.marker) {
    auto marker = find_visible_image(db, ctx, *query.marker, false, "");
    if (!marker) {
      if (marker.error().code() == common::Errc::not_found)
        return Error::bad_request("Invalid marker. Image could not be found.");
      return marker.error();
    }
    // Keyset paging: rows strictly after the marker in the composite order.
    q.where("(" + join(columns, "") + ") " + (query.sort_ascending ? ">" : "<") + " (SELECT " +
            join(columns, "") + " FROM images mk WHERE mk.id = ?)");
    q.bind(*query.marker);
  }
  q.bind(query.limit);
  std::string sql = "SELECT " + std::string(kImageColumns) + " FROM images WHERE 1 = 1" +
                    q.where_clause() + " ORDER BY " + join(columns, direction) + " LIMIT ?";
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
