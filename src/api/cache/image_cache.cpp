#include "api/cache/image_cache.h"

#include "api/cache/cache_fill_reader.h"
#include "api/cache/file_range_reader.h"
#include "store/blocking_pool.h"

#include <spdlog/spdlog.h>

namespace glance::api {

namespace net = boost::asio;

net::awaitable<std::optional<CachedFile>> ImageCache::open_cached(const common::Image& image) {
  if (!image.checksum || !CacheDirectory::is_safe_id(image.id)) co_return std::nullopt;
  co_return co_await run(
      [id = image.id, sum = *image.checksum](CacheDirectory& d) { return d.open_cached(id, sum); });
}

net::awaitable<store::ImageBody> ImageCache::fill(const common::Image& image,
                                                  store::ImageBody body) {
  const uint64_t size = static_cast<uint64_t>(image.size.value_or(0));
  if (!image.checksum || size == 0 || !CacheDirectory::is_safe_id(image.id) || !claim(image.id))
    co_return body;
  auto fd = co_await run([id = image.id](CacheDirectory& d) { return d.begin_fill(id); });
  if (!fd) {
    release(image.id);
    if (fd.error().code() != common::Errc::conflict) spdlog::error("{}", fd.error().message());
    co_return body;
  }
  std::unique_ptr<common::http::BodyReader> source;
  std::optional<uint64_t> length;
  if (auto* range = std::get_if<common::http::FileRange>(&body)) {
    length = range->length;
    source = std::make_unique<FileRangeReader>(std::move(*range), pool_);
  } else {
    auto& stream = std::get<common::http::StreamBody>(body);
    length = stream.length;
    source = std::move(stream.reader);
  }
  co_return common::http::StreamBody{
      std::make_unique<CacheFillReader>(*this, std::move(source), image.id, *fd, size,
                                        *image.checksum),
      length};
}

net::awaitable<void> ImageCache::remove(const std::string& image_id) {
  if (!CacheDirectory::is_safe_id(image_id)) co_return;
  {
    std::lock_guard lock(mutex_);
    if (filling_.contains(image_id)) removed_while_filling_.insert(image_id);
  }
  co_await run([image_id](CacheDirectory& d) { return d.remove(image_id); });
}

bool ImageCache::claim(const std::string& image_id) {
  std::lock_guard lock(mutex_);
  return filling_.insert(image_id).second;
}

bool ImageCache::release(const std::string& image_id) {
  std::lock_guard lock(mutex_);
  filling_.erase(image_id);
  return removed_while_filling_.erase(image_id) > 0;
}

}  // namespace glance::api
