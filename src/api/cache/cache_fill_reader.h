#pragma once

#include "common/hex_digest.h"
#include "common/http/body.h"

#include <cstdint>
#include <memory>
#include <string>

namespace glance::api {

class FillFlight;
class ImageCache;

// Reads an image from its store into a fill of the cache (an incomplete/ file, written and
// hashed on the cache's pool), chunk by chunk as its reader asks (the fill's pump,
// fill_pump.h); each read also returns the store's bytes in `buf`. When the expected size
// has passed through, the MD5 is compared with the image's checksum: equal, the copy is
// committed; different, too long, a store error, a failed write or a reader destroyed before
// (nobody follows the fill any more, or the daemon exits), the fill is discarded. Holds the
// image's claim on `cache` until the fill is settled. Reports its progress and outcome to
// `flight`, which every download of the image follows. `cache` must outlive it. Not
// thread-safe.
class CacheFillReader final : public common::http::BodyReader {
 public:
  CacheFillReader(ImageCache& cache, std::unique_ptr<common::http::BodyReader> source,
                  std::string image_id, int fd, uint64_t size, std::string checksum,
                  std::shared_ptr<FillFlight> flight);
  ~CacheFillReader() override;

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

  // True once the fill was committed or discarded; reads then only pass the store's bytes on.
  bool settled() const { return fd_ < 0; }
  const std::string& image_id() const { return image_id_; }

 private:
  boost::asio::awaitable<void> settle();
  boost::asio::awaitable<void> discard(const char* why);

  ImageCache& cache_;
  std::unique_ptr<common::http::BodyReader> source_;
  std::string image_id_;
  int fd_;  // -1 once the fill is settled
  uint64_t size_;
  std::string checksum_;
  uint64_t written_ = 0;
  common::Md5Digest md5_;
  std::shared_ptr<FillFlight> flight_;
};

}  // namespace glance::api
