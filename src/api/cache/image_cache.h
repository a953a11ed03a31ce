#pragma once

#include "api/cache/cache_directory.h"
#include "common/image.h"
#include "store/blocking_pool.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace glance::api {

class FillFlight;
class ImageCache;

// The right to fill the cache with one image, which its holder got from ImageCache::follow
// or lead (an empty file under incomplete/ to write, and the flight that downloads missing
// meanwhile follow). Handed to ImageCache::fill with the store's body; destroyed unused (the
// store could not be read), it discards the fill and its followers turn to the store.
class FillLease {
 public:
  FillLease(ImageCache& cache, std::string image_id, std::string checksum, int write_fd,
            int read_fd, std::shared_ptr<FillFlight> flight);
  FillLease(FillLease&& o) noexcept;
  FillLease& operator=(FillLease&&) = delete;
  ~FillLease();

 private:
  friend class ImageCache;
  ImageCache* cache_;
  std::string image_id_;
  std::string checksum_;
  int write_fd_;  // -1 once used
  int read_fd_;
  std::shared_ptr<FillFlight> flight_;
};

// glance-api's image cache as the download path and the management routes use it: every
// disk and SQLite call of the CacheDirectory runs on `pool`, and the coroutines resume on
// their own executor. Single flight: at most one fill per image at a time in this process,
// run by a pump of its own at the store's pace, and every download that misses while it runs
// (the first one included) follows it (FillFollower) rather than read the store again. Safe for
// concurrent use. `pool` must outlive it, and it must outlive every reader fill() or follow()
// returned, and every fill's pump.
class ImageCache {
 public:
  ImageCache(std::unique_ptr<CacheDirectory> directory, store::BlockingPool& pool)
      : directory_(std::move(directory)), pool_(pool) {}

  // The cached copy of `image` when there is one whose checksum is the image's. The caller
  // has checked that the image may be downloaded.
  boost::asio::awaitable<std::optional<CachedFile>> open_cached(const common::Image& image);

  // For a download of the whole of `image` that open_cached() missed, after every check an
  // uncached download makes. When a fill of the image (same checksum) runs here and its
  // store answered, returns the body following it (or the copy, when a fill was committed
  // since open_cached() missed). Otherwise returns nothing, and sets `lead` when this
  // download is to start the fill: the caller opens the store and passes its body to fill();
  // downloads missing meanwhile wait for that and follow. Neither (the image cannot be
  // cached, its fill failed): read the store, uncached.
  boost::asio::awaitable<std::optional<store::ImageBody>> follow(const common::Image& image,
                                                                 std::optional<FillLease>& lead);
  // The lease for a fill of `image` when it can be cached and no fill of it runs.
  boost::asio::awaitable<std::optional<FillLease>> lead(const common::Image& image);

  // Starts the fill of the cache from `body` (the whole image, as the store gave it), run by a
  // pump of its own at the store's pace (fill_pump.h), and returns the caller's download: it
  // follows the fill as every other download of the image does (FillFollower), served from
  // the fill's file as the bytes arrive, its last byte once the copy passed its size and
  // checksum checks. The fill stops and is discarded once no download follows it.
  boost::asio::awaitable<store::ImageBody> fill(FillLease lease, store::ImageBody body);
  // The same with a lease of its own; `body` itself when the image cannot be cached (no
  // checksum, empty, a fill already running) or the fill cannot start.
  boost::asio::awaitable<store::ImageBody> fill(const common::Image& image, store::ImageBody body);

  // Drops the cached copy of `image_id` (the image was deleted or its data replaced),
  // including the one a fill running now would commit.
  boost::asio::awaitable<void> remove(const std::string& image_id);

  // Runs fn(directory) on the pool; fn returns a value.
  template <class F>
  auto run(F fn) {
    return pool_.run([this, fn = std::move(fn)]() mutable { return fn(*directory_); });
  }

  store::BlockingPool& pool() { return pool_; }
  CacheDirectory& directory() { return *directory_; }

  // For the daemon's exit, once nothing runs on the io_context or the pool any more: removes
  // the incomplete/ files of the fills that never settled (a pump stopped mid-image, whose
  // discard could not run on the stopped pool). Blocks on disk.
  void discard_unsettled_fills();

  // Ends a fill's hold on its image. True when remove() was asked meanwhile: a copy the fill
  // committed must go too.
  bool release(const std::string& image_id);

 private:
  // The flight running for `image_id`, or `mine`, now registered, when none runs.
  std::shared_ptr<FillFlight> claim_or_find(const std::string& image_id,
                                            std::shared_ptr<FillFlight> mine);
  boost::asio::awaitable<std::optional<FillLease>> begin(const common::Image& image,
                                                         std::shared_ptr<FillFlight> flight);

  std::unique_ptr<CacheDirectory> directory_;
  store::BlockingPool& pool_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FillFlight>> flights_;
  std::set<std::string> removed_while_filling_;
};

}  // namespace glance::api
