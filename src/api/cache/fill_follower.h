#pragma once

#include "common/http/body.h"

#include <cstdint>
#include <memory>

namespace glance::store {
class BlockingPool;
}

namespace glance::api {

class FillFlight;

// The body of a download of an image being filled into the cache (the download that started
// the fill, or one that found it running): the bytes the fill has written to its incomplete/
// file, read (pread on `pool`) as they arrive, waiting for the fill between them, and after
// the commit the rest of the same file (a rename keeps the inode). The fill never waits for
// it, so a slow client delays only itself. The image's last byte waits for the commit; a
// failed fill ends the stream with an error, so the client's connection is cut as when an
// uncached download's store fails. Counts itself among the flight's followers for its whole
// life, which keeps the fill going. The flight must have been joined (FillFlight::join) for
// it; `pool` must outlive it. Not thread-safe.
class FillFollower final : public common::http::BodyReader {
 public:
  FillFollower(std::shared_ptr<FillFlight> flight, store::BlockingPool& pool)
      : flight_(std::move(flight)), pool_(pool) {}
  ~FillFollower() override;

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

 private:
  std::shared_ptr<FillFlight> flight_;
  store::BlockingPool& pool_;
  uint64_t done_ = 0;
};

}  // namespace glance::api
