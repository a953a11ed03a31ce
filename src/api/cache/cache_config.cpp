#include "api/cache/cache_config.h"

#include <filesystem>

namespace glance::api {

std::string CacheConfig::index_path() const {
  return (std::filesystem::path(dir) / sqlite_db).string();
}

CacheConfig load_cache_config(common::ConfigFile& file, const std::string& flavor) {
  const std::string d = "DEFAULT";
  CacheConfig c;
  c.management = flavor.ends_with("cachemanagement");
  c.enabled = c.management || flavor.ends_with("caching");
  c.dir = file.get_string(d, "image_cache_dir", "");
  c.max_size = static_cast<uint64_t>(
      file.get_int(d, "image_cache_max_size", static_cast<int64_t>(c.max_size), 0));
  c.stall_time = std::chrono::seconds(file.get_int(d, "image_cache_stall_time", 86400, 0));
  c.sqlite_db = file.get_string(d, "image_cache_sqlite_db", c.sqlite_db);
  // At most a year: a timer's deadline is now plus the interval, which must not overflow.
  constexpr int64_t kMaxInterval = 366LL * 86400;
  auto interval = [&](const char* key) {
    return std::chrono::seconds(file.get_int(d, key, 0, 0, kMaxInterval));
  };
  c.prune_interval = interval("image_cache_prune_interval");
  c.clean_interval = interval("image_cache_clean_interval");
  c.prefetch_interval = interval("image_cache_prefetch_interval");
  // The xattr driver keeps its index in extended attributes of the files; one index format
  // is enough here, and SQLite's survives a crash.
  if (file.get_string(d, "image_cache_driver", "sqlite") != "sqlite")
    file.add_error(d, "image_cache_driver", "must be sqlite");
  if (c.enabled && c.dir.empty())
    file.add_error(d, "image_cache_dir", "is required with a caching [paste_deploy] flavor");
  if (c.sqlite_db.empty()) file.add_error(d, "image_cache_sqlite_db", "must not be empty");
  return c;
}

}  // namespace glance::api
