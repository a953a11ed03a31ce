#include "api/cache/cache_maintenance.h"

#include "api/cache/cache_directory.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace glance::api {

namespace fs = std::filesystem;

Pruned prune_cache(CacheDirectory& cache, uint64_t max_size) {
  Pruned pruned;
  auto rows = cache.list();  // least recently accessed first
  if (!rows) {
    spdlog::error("{}", rows.error().message());
    return pruned;
  }
  uint64_t total = 0;
  for (const auto& row : *rows) total += row.size;
  for (const auto& row : *rows) {
    if (total <= max_size) break;
    if (cache.remove(row.image_id)) {
      spdlog::info("pruned {} ({} bytes) from the image cache", row.image_id, row.size);
      ++pruned.images;
      pruned.bytes += row.size;
    }
    total -= row.size;
  }
  return pruned;
}

size_t clean_cache(CacheDirectory& cache, std::chrono::seconds stall_time) {
  size_t removed = 0;
  const auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache.incomplete_dir(), ec)) {
    auto touched = e.last_write_time(ec);
    if (ec || now - touched < stall_time) continue;
    if (fs::remove(e.path(), ec)) {
      spdlog::info("removed the stalled image cache fill {}", e.path().filename().string());
      ++removed;
    }
  }
  return removed;
}

}  // namespace glance::api
