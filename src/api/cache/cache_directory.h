#pragma once

#include "api/cache/cache_config.h"
#include "api/cache/cache_index.h"
#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace glance::api {

// An open cached copy: owns `fd` until it is moved out (set to -1).
struct CachedFile {
  CachedFile(int fd, uint64_t size) : fd(fd), size(size) {}
  CachedFile(CachedFile&& o) noexcept : fd(o.fd), size(o.size) { o.fd = -1; }
  CachedFile& operator=(CachedFile&& o) noexcept;
  ~CachedFile();
  int fd;
  uint64_t size;
};

// The cache's files and index, laid out as upstream's: complete copies named by image id in
// the directory, fills under incomplete/, ids waiting for the prefetcher under queue/, and
// the index file. An image is cached when its row and its file both exist; a fill becomes
// visible by rename(2) then its row, so a crash between the two leaves a file without row,
// which open() removes. Every call blocks on disk: call from a BlockingPool thread (or a
// command's main thread). Safe for concurrent use. Image ids must be checked first
// (is_safe_id): they become file names.
class CacheDirectory {
 public:
  // Creates the directories and the index. With `recover` (the api at start-up, which owns
  // the fills), removes what a crash left: fills, files without row, rows without file.
  // Errors: internal.
  static common::Result<std::unique_ptr<CacheDirectory>> open(const CacheConfig& config,
                                                              bool recover);

  // An id usable as a file name here: uuid-like, as every image id is.
  static bool is_safe_id(const std::string& image_id);

  // The complete copy of `image_id` when its verified checksum is `checksum`; a copy with
  // another checksum (the image's data was replaced) is removed. Counts a hit.
  std::optional<CachedFile> open_cached(const std::string& image_id, const std::string& checksum);
  bool is_cached(const std::string& image_id);

  // Starts a fill: an empty file under incomplete/ opened for writing. Fails with conflict
  // when another fill of the image runs or the image is cached already.
  common::Result<int> begin_fill(const std::string& image_id);
  // Makes the fill durable and visible: fsync, rename into place, fsync the directory, then
  // the index row. Closes `fd`. Drops the image from the queue. On failure nothing is left.
  common::Result<void> commit_fill(const std::string& image_id, int fd, uint64_t size,
                                   const std::string& checksum);
  // Closes `fd` (unless -1) and removes the fill.
  void discard_fill(const std::string& image_id, int fd);

  // True when a cached copy was removed.
  bool remove(const std::string& image_id);
  // The number of cached copies removed.
  size_t remove_all();
  common::Result<std::vector<CachedImage>> list();

  // The prefetcher's queue. queue() is false when the image is cached or being filled already.
  bool queue(const std::string& image_id);
  std::vector<std::string> queued();  // oldest first
  bool dequeue(const std::string& image_id);
  size_t dequeue_all();

  // For the pruner and cleaner commands.
  CacheIndex& index() { return *index_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path incomplete_dir() const { return dir_ / "incomplete"; }
  std::filesystem::path queue_dir() const { return dir_ / "queue"; }

 private:
  CacheDirectory(std::filesystem::path dir, std::unique_ptr<CacheIndex> index)
      : dir_(std::move(dir)), index_(std::move(index)) {}
  void reconcile();

  std::filesystem::path dir_;
  std::unique_ptr<CacheIndex> index_;
};

}  // namespace glance::api
