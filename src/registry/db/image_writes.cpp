#include "registry/db/image_writes.h"

#include "common/clock.h"
#include "common/json_parse.h"

#include <algorithm>
#include <set>

namespace glance::registry {

using common::ImageFields;

namespace {
SqlValue nullable_text(const std::optional<std::string>& v) {
  return v ? SqlValue(*v) : SqlValue();
}
SqlValue nullable_int(const std::optional<int64_t>& v) {
  return v ? SqlValue(*v) : SqlValue();
}

bool is_deleted_location(const std::string& status) {
  return status == "deleted" || status == "pending_delete";
}

SqlValue timestamp_value(const std::optional<std::string>& v) {
  if (!v) return SqlValue();
  return common::timestamp_to_sql(*common::parse_iso8601(*v));
}
}  // namespace

void image_column_assignments(const ImageFields& f, std::string* sql,
                              std::vector<SqlValue>* params) {
  auto assign = [&](const char* column, SqlValue value) {
    if (!sql->empty()) *sql += ", ";
    *sql += column;
    *sql += " = ?";
    params->push_back(std::move(value));
  };
  if (f.name) assign("name", nullable_text(*f.name));
  if (f.disk_format) assign("disk_format", nullable_text(*f.disk_format));
  if (f.container_format) assign("container_format", nullable_text(*f.container_format));
  if (f.checksum) assign("checksum", nullable_text(*f.checksum));
  if (f.os_hash_algo) assign("os_hash_algo", nullable_text(*f.os_hash_algo));
  if (f.os_hash_value) assign("os_hash_value", nullable_text(*f.os_hash_value));
  if (f.owner) assign("owner", nullable_text(*f.owner));
  if (f.size) assign("size", nullable_int(*f.size));
  if (f.virtual_size) assign("virtual_size", nullable_int(*f.virtual_size));
  if (f.min_disk) assign("min_disk", *f.min_disk);
  if (f.min_ram) assign("min_ram", *f.min_ram);
  if (f.status) assign("status", std::string(common::to_string(*f.status)));
  // v1 writes is_public=false as `shared`, not `private`.
  if (f.visibility)
    assign("visibility", *f.visibility);
  else if (f.is_public)
    assign("visibility", std::string(*f.is_public ? "public" : "shared"));
  if (f.os_hidden) assign("os_hidden", int64_t{*f.os_hidden});
  if (f.is_protected) assign("protected", int64_t{*f.is_protected});
  if (f.deleted) assign("deleted", int64_t{*f.deleted});
  if (f.created_at && *f.created_at) assign("created_at", timestamp_value(*f.created_at));
  if (f.updated_at) assign("updated_at", timestamp_value(*f.updated_at));
  if (f.deleted_at) assign("deleted_at", timestamp_value(*f.deleted_at));
}

Result<void> write_properties(MysqlConnection& db, const std::string& image_id,
                              const common::ImageProperties& given,
                              const common::ImageProperties& existing, bool purge,
                              const std::string& now) {
  for (const auto& [name, value] : given) {
    SqlValue p[] = {image_id, name, nullable_text(value), now, now};
    auto r = db.execute(
        "INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted) "
        "VALUES (?, ?, ?, ?, ?, 0) ON DUPLICATE KEY UPDATE value = VALUES(value), "
        "updated_at = VALUES(updated_at), deleted = 0, deleted_at = NULL",
        p);
    if (!r) return r.error();
  }
  if (!purge) return {};
  for (const auto& [name, value] : existing) {
    if (given.count(name)) continue;
    SqlValue p[] = {now, now, image_id, name};
    auto r = db.execute(
        "UPDATE image_properties SET deleted = 1, deleted_at = ?, updated_at = ? "
        "WHERE image_id = ? AND name = ? AND deleted = 0",
        p);
    if (!r) return r.error();
  }
  return {};
}

Result<void> write_tags(MysqlConnection& db, const std::string& image_id,
                        const std::vector<std::string>& given,
                        const std::vector<std::string>& existing, const std::string& now) {
  const std::set<std::string> wanted(given.begin(), given.end());
  const std::set<std::string> have(existing.begin(), existing.end());
  for (const auto& tag : have) {
    if (wanted.count(tag)) continue;
    SqlValue p[] = {now, now, image_id, tag};
    auto r = db.execute(
        "UPDATE image_tags SET deleted = 1, deleted_at = ?, updated_at = ? "
        "WHERE image_id = ? AND value = ? AND deleted = 0",
        p);
    if (!r) return r.error();
  }
  for (const auto& tag : wanted) {
    if (have.count(tag)) continue;
    SqlValue p[] = {image_id, tag, now, now};
    auto r = db.execute(
        "INSERT INTO image_tags (image_id, value, created_at, updated_at, deleted) "
        "VALUES (?, ?, ?, ?, 0)",
        p);
    if (!r) return r.error();
  }
  return {};
}

Result<void> write_locations(MysqlConnection& db, const std::string& image_id,
                             const std::vector<common::ImageLocation>& given,
                             const std::vector<common::ImageLocation>& existing,
                             const std::string& now) {
  // An entry without id that names a live location's url is that location.
  std::vector<common::ImageLocation> wanted = given;
  for (auto& w : wanted)
    for (const auto& e : existing)
      if (!w.id && e.url == w.url) w.id = e.id;
  std::set<int64_t> kept;
  for (const auto& w : wanted)
    if (w.id) kept.insert(*w.id);
  const bool by_id = std::any_of(given.begin(), given.end(), [](const auto& l) { return l.id; });
  if (by_id) {
    std::set<int64_t> live;
    for (const auto& e : existing)
      if (e.id) live.insert(*e.id);
    if (kept != live) return common::Error::conflict("Image operation conflicts");
  }
  for (const auto& e : existing) {
    if (!e.id || kept.count(*e.id)) continue;
    SqlValue p[] = {now, now, *e.id};
    auto r = db.execute(
        "UPDATE image_locations SET deleted = 1, deleted_at = ?, updated_at = ?, "
        "status = 'deleted' WHERE id = ?",
        p);
    if (!r) return r.error();
  }
  for (const auto& w : wanted) {
    bool gone = is_deleted_location(w.status);
    SqlValue deleted_at = gone ? SqlValue(now) : SqlValue();
    Result<uint64_t> r = uint64_t{0};
    if (w.id) {
      SqlValue p[] = {
          w.url,   common::dump_json(w.metadata), w.status, int64_t{gone}, deleted_at, now, *w.id,
          image_id};
      r = db.execute(
          "UPDATE image_locations SET value = ?, meta_data = ?, status = ?, deleted = ?, "
          "deleted_at = ?, updated_at = ? WHERE id = ? AND image_id = ?",
          p);
    } else {
      SqlValue p[] = {image_id,      w.url,     common::dump_json(w.metadata), w.status, now, now,
                      int64_t{gone}, deleted_at};
      r = db.execute(
          "INSERT INTO image_locations (image_id, value, meta_data, status, created_at, "
          "updated_at, deleted, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          p);
    }
    if (!r) return r.error();
  }
  return {};
}

}  // namespace glance::registry
