#pragma once

#include "common/config_file.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace glance::api {

// glance-api's local image cache, switched on as upstream's paste flavors switch it on: a
// flavor ending in `caching` or `cachemanagement` (after `keystone+`, `trusted-auth+`, or alone
// without authentication) caches downloads; `cachemanagement` also serves the
// /v1|v2/cached_images and queued_images routes. Defaults are upstream's.
struct CacheConfig {
  bool enabled = false;
  bool management = false;
  std::string dir;                                 // image_cache_dir; required when enabled
  uint64_t max_size = 10ULL * 1024 * 1024 * 1024;  // image_cache_max_size: 10 GiB
  // image_cache_stall_time: an incomplete fill untouched this long is the cleaner's.
  std::chrono::seconds stall_time{86400};
  // image_cache_sqlite_db: the index's file, relative to dir unless absolute.
  std::string sqlite_db = "cache.db";
  // image_cache_prune_interval, image_cache_clean_interval, image_cache_prefetch_interval:
  // how often glance-api itself does what glance-cache-pruner, glance-cache-cleaner and
  // glance-cache-prefetcher do, for deployments without cron. 0 (the default) leaves the
  // job to the commands, as upstream does.
  std::chrono::seconds prune_interval{0};
  std::chrono::seconds clean_interval{0};
  std::chrono::seconds prefetch_interval{0};

  // The index's path: sqlite_db under dir.
  std::string index_path() const;
};

// Reads the image_cache_* options of [DEFAULT] for `flavor` ([paste_deploy] flavor). Errors
// (no image_cache_dir with a caching flavor, a driver other than sqlite) are recorded in `file`.
CacheConfig load_cache_config(common::ConfigFile& file, const std::string& flavor);

}  // namespace glance::api
