#include "api/cache/cache_fill_reader.h"

#include "api/cache/fill_flight.h"
#include "api/cache/image_cache.h"
#include "store/blocking_pool.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>

namespace glance::api {

namespace net = boost::asio;
using common::Result;

namespace {

bool write_all(int fd, std::span<const char> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data = data.subspan(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

CacheFillReader::CacheFillReader(ImageCache& cache,
                                 std::unique_ptr<common::http::BodyReader> source,
                                 std::string image_id, int fd, uint64_t size, std::string checksum,
                                 std::shared_ptr<FillFlight> flight)
    : cache_(cache),
      source_(std::move(source)),
      image_id_(std::move(image_id)),
      fd_(fd),
      size_(size),
      checksum_(std::move(checksum)),
      flight_(std::move(flight)) {}

CacheFillReader::~CacheFillReader() {
  if (fd_ < 0) return;
  // Nobody follows the fill any more (or the daemon is exiting): the unlink is disk work, so
  // it goes to the pool rather than blocking this I/O thread. At exit the pool may have
  // stopped already; ImageCache::discard_unsettled_fills() removes the file then.
  spdlog::warn(
      "image cache: not caching {}: the fill stopped after {} bytes, no download "
      "following it",
      image_id_, written_);
  flight_->finish(false);
  cache_.pool().post([&cache = cache_, id = image_id_, fd = fd_] {
    cache.directory().discard_fill(id, fd);
    cache.release(id);
  });
}

net::awaitable<Result<size_t>> CacheFillReader::read_some(std::span<char> buf) {
  auto n = co_await source_->read_some(buf);
  if (fd_ < 0) co_return n;
  if (!n) {
    co_await discard("the store's stream failed");
    co_return n;
  }
  if (*n == 0) {
    co_await settle();
    co_return n;
  }
  if (written_ + *n > size_) {
    co_await discard("the store sent more than the image's size");
    co_return n;
  }
  std::span<const char> chunk(buf.data(), *n);
  bool written = co_await cache_.pool().run([this, chunk] {
    md5_.update(chunk);
    return write_all(fd_, chunk);
  });
  written_ += *n;
  if (written) flight_->wrote(written_);
  if (!written)
    co_await discard("writing to the cache failed");
  else if (written_ == size_)
    co_await settle();
  co_return n;
}

net::awaitable<void> CacheFillReader::settle() {
  const auto digest = md5_.hex_final();
  if (written_ != size_) co_return co_await discard("the store's stream ended early");
  if (digest != checksum_) co_return co_await discard("the data does not match its checksum");
  const int fd = std::exchange(fd_, -1);
  auto committed =
      co_await cache_.run([id = image_id_, fd, size = size_, sum = checksum_](CacheDirectory& d) {
        return d.commit_fill(id, fd, size, sum);
      });
  flight_->finish(committed.has_value());
  if (!committed) {
    cache_.release(image_id_);
    spdlog::error("{}", committed.error().message());
  } else if (cache_.release(image_id_)) {
    // The image was deleted while its data streamed: the copy is already stale.
    co_await cache_.remove(image_id_);
  } else {
    spdlog::info("image cache: {} cached ({} bytes)", image_id_, size_);
  }
}

net::awaitable<void> CacheFillReader::discard(const char* why) {
  spdlog::warn("image cache: not caching {}: {}", image_id_, why);
  const int fd = std::exchange(fd_, -1);
  co_await cache_.run([id = image_id_, fd](CacheDirectory& d) {
    d.discard_fill(id, fd);
    return true;
  });
  flight_->finish(false);
  cache_.release(image_id_);
}

}  // namespace glance::api
