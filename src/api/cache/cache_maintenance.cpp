#include "api/cache/cache_maintenance.h"

#include "api/cache/cache_directory.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace glance::api {

namespace fs = std::filesystem;
using common::Error;
using common::Result;

Result<Pruned> prune_cache(CacheDirectory& cache, uint64_t max_size) {
  auto rows = cache.list();  // least recently accessed first
  if (!rows) return rows.error();
  Pruned pruned;
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

Result<size_t> clean_cache(CacheDirectory& cache, std::chrono::seconds stall_time) {
  size_t removed = 0;
  const auto now = fs::file_time_type::clock::now();
  const auto dir = cache.incomplete_dir();
  std::error_code ec;
  // Stepped with error codes: a directory that cannot be read is reported, never thrown.
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    auto touched = it->last_write_time(entry_ec);
    if (entry_ec || now - touched < stall_time) continue;
    if (fs::remove(it->path(), entry_ec)) {
      spdlog::info("removed the stalled image cache fill {}", it->path().filename().string());
      ++removed;
    } else if (entry_ec) {
      spdlog::warn("image cache: cannot remove the stalled fill {}: {}", it->path().string(),
                   entry_ec.message());
    }
  }
  if (ec) return Error::internal("image cache: cannot read " + dir.string() + ": " + ec.message());
  return removed;
}

}  // namespace glance::api
