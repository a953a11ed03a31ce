#include "registry/db/write_fence.h"

#include <span>

namespace glance::registry {

Result<void> enter_fence(MysqlConnection& db, const std::string& name) {
  const SqlValue key = name;
  auto written = db.execute(
      "INSERT INTO write_fences (name, generation) VALUES (?, 1) "
      "ON DUPLICATE KEY UPDATE generation = generation + 1",
      std::span(&key, 1));
  if (!written) return written.error();
  return {};
}

std::string owner_fence(const std::string& owner) {
  return "owner:" + owner;
}

std::string image_fence(const std::string& image_id) {
  return "image:" + image_id;
}

}  // namespace glance::registry
