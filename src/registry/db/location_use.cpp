#include "registry/db/location_use.h"

#include "registry/db/mysql_connection.h"

#include <set>

namespace glance::registry {

common::Result<bool> url_in_live_use(MysqlConnection& db, const std::string& url,
                                     const std::string& except_image_id) {
  // One url at a time: `value = ?` is a range of the prefix index, which is what the share
  // lock then covers (IN over TEXT may scan instead).
  SqlValue p[] = {url, except_image_id};
  auto rows = db.query(
      "SELECT 1 FROM image_locations l FORCE INDEX (ix_image_locations_value) "
      "JOIN images i ON i.id = l.image_id "
      "WHERE l.value = ? AND l.image_id <> ? AND l.status = 'active' AND l.deleted = 0 AND "
      "i.deleted = 0 AND i.status NOT IN ('deleted', 'pending_delete') LIMIT 1 "
      "LOCK IN SHARE MODE",
      p);
  if (!rows) return rows.error();
  return !rows->empty();
}

common::Result<void> mark_locations_in_use(MysqlConnection& db, const std::string& image_id,
                                           std::vector<common::ImageLocation>& locations) {
  std::set<std::string> used;
  for (const auto& location : locations) {
    if (location.status == "deleted" || used.count(location.url)) continue;
    auto in_use = url_in_live_use(db, location.url, image_id);
    if (!in_use) return in_use.error();
    if (*in_use) used.insert(location.url);
  }
  for (auto& location : locations) location.in_use = used.count(location.url) > 0;
  return {};
}

void copy_in_use(const std::vector<common::ImageLocation>& answered,
                 std::vector<common::ImageLocation>& locations) {
  for (auto& location : locations)
    for (const auto& a : answered)
      if (a.url == location.url && a.in_use) location.in_use = a.in_use;
}

}  // namespace glance::registry
