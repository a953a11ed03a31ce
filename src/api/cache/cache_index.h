#pragma once

#include "common/error.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace glance::api {

// One row of the index: an image whose verified data sits complete in the cache directory.
// Times are seconds since the epoch, as upstream's sqlite driver stores them.
struct CachedImage {
  std::string image_id;
  double last_accessed = 0;
  double last_modified = 0;
  uint64_t size = 0;
  uint64_t hits = 0;
  std::string checksum;  // the MD5 the data was verified against
};

// The cache's index in an SQLite file, with upstream's table (cached_images). Every call
// blocks on disk: call it from a BlockingPool thread, never an I/O thread. In WAL mode with
// synchronous=NORMAL a crash never corrupts the file; a power cut may lose the last rows,
// which CacheDirectory tolerates (a copy without row is removed at start-up), and each hit
// costs no fsync. Safe for concurrent use (one connection behind a mutex). Errors: internal,
// with SQLite's message.
class CacheIndex {
 public:
  // Opens or creates the file and its table.
  static common::Result<std::unique_ptr<CacheIndex>> open(const std::string& path);
  ~CacheIndex();
  CacheIndex(const CacheIndex&) = delete;
  CacheIndex& operator=(const CacheIndex&) = delete;

  common::Result<std::optional<CachedImage>> find(const std::string& image_id);
  // Adds or replaces the row of row.image_id.
  common::Result<void> put(const CachedImage& row);
  // Counts a hit and sets last_accessed to `now`.
  common::Result<void> record_hit(const std::string& image_id, double now);
  // True when a row was removed.
  common::Result<bool> remove(const std::string& image_id);
  // Every row, least recently accessed first.
  common::Result<std::vector<CachedImage>> list();

 private:
  explicit CacheIndex(sqlite3* db) : db_(db) {}
  common::Result<void> exec(const char* sql);

  std::mutex mutex_;
  sqlite3* db_;
};

}  // namespace glance::api
