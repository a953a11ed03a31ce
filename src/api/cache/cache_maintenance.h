#pragma once

#include "common/error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace glance::api {

class CacheDirectory;

// What glance-cache-pruner and glance-cache-cleaner do to a cache directory, and glance-api's
// own prune and clean jobs. Both block on disk (the commands run in their own processes,
// beside the api that serves from the same directory; the api runs them on its blocking
// pool) and log what they remove.

struct Pruned {
  size_t images = 0;
  uint64_t bytes = 0;
};

// Removes cached copies, least recently accessed first, until the cache holds at most
// `max_size` bytes (image_cache_max_size). A copy being served stays readable to its
// readers: only its name and row go. Errors: internal when the index cannot be read.
common::Result<Pruned> prune_cache(CacheDirectory& cache, uint64_t max_size);

// Removes fills under incomplete/ untouched for `stall_time` (image_cache_stall_time): what
// a dead process or a stalled download left. Returns how many went. Errors: internal when
// incomplete/ cannot be read (a fill that cannot be removed is logged and left).
common::Result<size_t> clean_cache(CacheDirectory& cache, std::chrono::seconds stall_time);

}  // namespace glance::api
