#pragma once

#include "common/http/body.h"
#include "common/http/response.h"

#include <cstdint>

namespace glance::store {
class BlockingPool;
}

namespace glance::api {

// Reads a file range (the file store's answer) as a stream, each pread(2) on `pool`, so that
// a fill of the cache can see the bytes that would otherwise go out with sendfile. Owns the
// range's descriptor. `pool` must outlive it. Not thread-safe.
class FileRangeReader final : public common::http::BodyReader {
 public:
  FileRangeReader(common::http::FileRange range, store::BlockingPool& pool)
      : range_(std::move(range)), pool_(pool) {}

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

 private:
  common::http::FileRange range_;
  store::BlockingPool& pool_;
  uint64_t done_ = 0;
};

}  // namespace glance::api
