#pragma once

#include "common/error.h"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <span>

namespace glance::common::http {

// A stream of body bytes read asynchronously: a request body handed to a streaming handler,
// or image data a response streams out. Not thread-safe; one reader at a time.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to buf.size() bytes. Returns 0 only at the end of the body. Errors: the peer
  // went away or sent a malformed body (bad_request), or the source failed.
  virtual boost::asio::awaitable<Result<size_t>> read_some(std::span<char> buf) = 0;
};

}  // namespace glance::common::http
