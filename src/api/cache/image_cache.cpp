#include "api/cache/image_cache.h"

#include "api/cache/cache_fill_reader.h"
#include "api/cache/file_range_reader.h"
#include "api/cache/fill_flight.h"
#include "api/cache/fill_follower.h"
#include "api/cache/fill_pump.h"
#include "store/blocking_pool.h"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {
bool cacheable(const common::Image& image) {
  return image.checksum && image.size.value_or(0) > 0 && CacheDirectory::is_safe_id(image.id);
}
}  // namespace

FillLease::FillLease(ImageCache& cache, std::string image_id, std::string checksum, int write_fd,
                     int read_fd, std::shared_ptr<FillFlight> flight)
    : cache_(&cache),
      image_id_(std::move(image_id)),
      checksum_(std::move(checksum)),
      write_fd_(write_fd),
      read_fd_(read_fd),
      flight_(std::move(flight)) {}

FillLease::FillLease(FillLease&& o) noexcept
    : cache_(o.cache_),
      image_id_(std::move(o.image_id_)),
      checksum_(std::move(o.checksum_)),
      write_fd_(std::exchange(o.write_fd_, -1)),
      read_fd_(std::exchange(o.read_fd_, -1)),
      flight_(std::move(o.flight_)) {}

FillLease::~FillLease() {
  if (write_fd_ < 0) return;
  flight_->finish(false);
  ::close(read_fd_);
  cache_->pool().post([cache = cache_, id = image_id_, fd = write_fd_] {
    cache->directory().discard_fill(id, fd);
    cache->release(id);
  });
}

net::awaitable<std::optional<CachedFile>> ImageCache::open_cached(const common::Image& image) {
  if (!image.checksum || !CacheDirectory::is_safe_id(image.id)) co_return std::nullopt;
  co_return co_await run(
      [id = image.id, sum = *image.checksum](CacheDirectory& d) { return d.open_cached(id, sum); });
}

net::awaitable<std::optional<store::ImageBody>> ImageCache::follow(const common::Image& image,
                                                                   std::optional<FillLease>& lead) {
  lead.reset();
  if (!cacheable(image)) co_return std::nullopt;
  const auto size = static_cast<uint64_t>(*image.size);
  auto mine = std::make_shared<FillFlight>(size, *image.checksum);
  auto flight = claim_or_find(image.id, mine);
  if (flight == mine) {
    if (auto lease = co_await begin(image, std::move(mine))) {
      lead.emplace(std::move(*lease));
      co_return std::nullopt;
    }
    // The fill this download missed may have been committed since open_cached(): serve the
    // copy rather than read the store again.
    auto copy = co_await open_cached(image);
    if (!copy) co_return std::nullopt;
    const uint64_t length = copy->size;
    co_return common::http::FileRange(std::exchange(copy->fd, -1), 0, length);
  }
  // A fill of other data (the image's was replaced meanwhile) is no use to this download.
  if (flight->size() != size || flight->checksum() != *image.checksum || !flight->join())
    co_return std::nullopt;
  auto follower = std::make_unique<FillFollower>(flight, pool_);
  // Until the store has answered the download that started the fill, this one could still need
  // the store's error.
  auto now = flight->progress();
  while (now.stage == FillFlight::Stage::opening) now = co_await flight->changed(now);
  if (now.stage == FillFlight::Stage::failed) co_return std::nullopt;
  co_return common::http::StreamBody{std::move(follower), size};
}

net::awaitable<std::optional<FillLease>> ImageCache::lead(const common::Image& image) {
  if (!cacheable(image)) co_return std::nullopt;
  auto mine = std::make_shared<FillFlight>(static_cast<uint64_t>(*image.size), *image.checksum);
  if (claim_or_find(image.id, mine) != mine) co_return std::nullopt;
  co_return co_await begin(image, std::move(mine));
}

net::awaitable<std::optional<FillLease>> ImageCache::begin(const common::Image& image,
                                                           std::shared_ptr<FillFlight> flight) {
  auto fds = co_await run([id = image.id](CacheDirectory& d) -> Result<std::pair<int, int>> {
    auto write_fd = d.begin_fill(id);
    if (!write_fd) return write_fd.error();
    const auto path = d.incomplete_dir() / id;
    int read_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (read_fd < 0) {
      Error e =
          Error::internal("image cache: cannot open " + path.string() + ": " + strerror(errno));
      d.discard_fill(id, *write_fd);
      return e;
    }
    return std::pair{*write_fd, read_fd};
  });
  if (!fds) {
    flight->finish(false);
    release(image.id);
    if (fds.error().code() != common::Errc::conflict) spdlog::error("{}", fds.error().message());
    co_return std::nullopt;
  }
  co_return FillLease(*this, image.id, *image.checksum, fds->first, fds->second, std::move(flight));
}

net::awaitable<store::ImageBody> ImageCache::fill(FillLease lease, store::ImageBody body) {
  std::unique_ptr<common::http::BodyReader> source;
  if (auto* range = std::get_if<common::http::FileRange>(&body))
    source = std::make_unique<FileRangeReader>(std::move(*range), pool_);
  else
    source = std::move(std::get<common::http::StreamBody>(body).reader);
  auto flight = lease.flight_;
  const uint64_t size = flight->size();
  auto fill = std::make_unique<CacheFillReader>(*this, std::move(source), lease.image_id_,
                                                std::exchange(lease.write_fd_, -1), size,
                                                lease.checksum_, flight);
  // The caller's download follows from the start, so the pump never finds the fill unfollowed
  // before it had a chance; join() cannot fail before the flight has started.
  flight->join();
  auto follower = std::make_unique<FillFollower>(flight, pool_);
  flight->start(std::exchange(lease.read_fd_, -1));
  start_fill_pump(co_await net::this_coro::executor, std::move(fill), std::move(flight));
  co_return common::http::StreamBody{std::move(follower), size};
}

net::awaitable<store::ImageBody> ImageCache::fill(const common::Image& image,
                                                  store::ImageBody body) {
  auto lease = co_await lead(image);
  if (!lease) co_return body;
  co_return co_await fill(std::move(*lease), std::move(body));
}

net::awaitable<void> ImageCache::remove(const std::string& image_id) {
  if (!CacheDirectory::is_safe_id(image_id)) co_return;
  {
    std::lock_guard lock(mutex_);
    if (flights_.contains(image_id)) removed_while_filling_.insert(image_id);
  }
  co_await run([image_id](CacheDirectory& d) { return d.remove(image_id); });
}

std::shared_ptr<FillFlight> ImageCache::claim_or_find(const std::string& image_id,
                                                      std::shared_ptr<FillFlight> mine) {
  std::lock_guard lock(mutex_);
  auto [at, inserted] = flights_.try_emplace(image_id, std::move(mine));
  return at->second;
}

void ImageCache::discard_unsettled_fills() {
  std::lock_guard lock(mutex_);
  for (const auto& [id, flight] : flights_) {
    std::error_code ec;
    // A fill committed just before the exit has left incomplete/ already.
    if (!std::filesystem::exists(directory_->incomplete_dir() / id, ec)) continue;
    spdlog::info("image cache: removing the fill of {}, cut by the shutdown", id);
    directory_->discard_fill(id, -1);
  }
  flights_.clear();
}

bool ImageCache::release(const std::string& image_id) {
  std::lock_guard lock(mutex_);
  flights_.erase(image_id);
  return removed_while_filling_.erase(image_id) > 0;
}

}  // namespace glance::api
