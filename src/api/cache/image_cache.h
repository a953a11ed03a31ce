#pragma once

#include "api/cache/cache_directory.h"
#include "common/image.h"
#include "store/blocking_pool.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace glance::api {

// glance-api's image cache as the download path and the management routes use it: every
// disk and SQLite call of the CacheDirectory runs on `pool`, and the coroutines resume on
// their own executor. At most one fill per image at a time in this process (single flight);
// downloads that find a fill running stream from the store as without a cache. Safe for
// concurrent use. `pool` must outlive it, and it must outlive every reader fill() returned.
class ImageCache {
 public:
  ImageCache(std::unique_ptr<CacheDirectory> directory, store::BlockingPool& pool)
      : directory_(std::move(directory)), pool_(pool) {}

  // The cached copy of `image` when there is one whose checksum is the image's. The caller
  // has checked that the image may be downloaded.
  boost::asio::awaitable<std::optional<CachedFile>> open_cached(const common::Image& image);

  // `body` (the whole image, as the store gave it), wrapped so that the bytes it streams
  // also fill the cache, verified against the image's size and checksum before they are
  // committed; `body` itself when the image cannot be cached (no checksum, empty, a fill
  // already running) or the fill cannot start.
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

  // Single flight: claim() is false while another fill of `image_id` holds it. release()
  // is true when remove() was asked meanwhile: a copy the fill committed must go too.
  bool claim(const std::string& image_id);
  bool release(const std::string& image_id);

 private:
  std::unique_ptr<CacheDirectory> directory_;
  store::BlockingPool& pool_;
  std::mutex mutex_;
  std::set<std::string> filling_;
  std::set<std::string> removed_while_filling_;
};

}  // namespace glance::api
