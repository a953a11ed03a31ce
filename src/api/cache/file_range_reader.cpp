#include "api/cache/file_range_reader.h"

#include "store/blocking_pool.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace glance::api {

using common::Error;
using common::Result;

boost::asio::awaitable<Result<size_t>> FileRangeReader::read_some(std::span<char> buf) {
  const uint64_t left = range_.length - done_;
  if (left == 0 || buf.empty()) co_return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
  const int fd = range_.fd;
  const auto offset = static_cast<off_t>(range_.offset + done_);
  auto n = co_await pool_.run([fd, offset, want, data = buf.data()]() -> Result<size_t> {
    ssize_t got;
    do {
      got = ::pread(fd, data, want, offset);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return Error::internal(std::string("reading image data: ") + strerror(errno));
    return static_cast<size_t>(got);
  });
  if (!n) co_return n.error();
  // A file that shrank under us ends the stream early; the fill then fails its size check.
  if (*n == 0) co_return Error::internal("image data ended early");
  done_ += *n;
  co_return *n;
}

}  // namespace glance::api
