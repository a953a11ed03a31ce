#include "registry/db/write_fence.h"

#include <span>

namespace glance::registry {

Result<void> enter_fence(MysqlConnection& db, const std::string& name) {
  const SqlValue key = name;
  // Created on first use, then updated by primary key: a plain UPDATE is what Galera certifies
  // reliably (INSERT ... ON DUPLICATE KEY UPDATE let two nodes' fence writes both commit).
  if (auto created = db.execute("INSERT IGNORE INTO write_fences (name, generation) VALUES (?, 0)",
                                std::span(&key, 1));
      !created)
    return created.error();
  auto entered = db.execute("UPDATE write_fences SET generation = generation + 1 WHERE name = ?",
                            std::span(&key, 1));
  if (!entered) return entered.error();
  return {};
}

std::string owner_fence(const std::string& owner) {
  return "owner:" + owner;
}

std::string image_fence(const std::string& image_id) {
  return "image:" + image_id;
}

}  // namespace glance::registry
