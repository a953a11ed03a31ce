#pragma once

// Driving a Store from a test: coroutines run to completion, image data written in chunks and
// read back whole. Header-only, so that the test support library needs no glance_store.

#include "store/store.h"
#include "tests/support/closed_port.h"
#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace glance::testing {

// Runs `task` on `ioc` until the io_context runs out of work, and returns what it returned.
// Also runs whatever else is queued on `ioc`, such as a destroyed writer's cleanup.
template <class R>
R await(boost::asio::io_context& ioc, boost::asio::awaitable<R> task) {
  auto future = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.restart();
  ioc.run();
  return future.get();
}

// Every byte of the reader's body, from a file range or a stream. Fails when a stream ends
// before or after the length it announced.
inline boost::asio::awaitable<common::Result<std::string>> drain(store::ImageReader& reader) {
  auto body = reader.take_body();
  std::string out;
  if (auto* range = std::get_if<common::http::FileRange>(&body)) {
    out.resize(range->length);
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(range->fd, out.data() + done, out.size() - done,
                          static_cast<off_t>(range->offset + done));
      if (n <= 0) co_return common::Error::internal("short read");
      done += static_cast<size_t>(n);
    }
    co_return out;
  }
  auto& stream = std::get<common::http::StreamBody>(body);
  std::vector<char> chunk(1 << 16);
  for (;;) {
    auto n = co_await stream.reader->read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) break;
    out.append(chunk.data(), *n);
  }
  if (stream.length && *stream.length != out.size())
    co_return common::Error::internal("stream shorter or longer than announced");
  co_return out;
}

// Opens `where` and drains it.
inline boost::asio::awaitable<common::Result<std::string>> read_image(
    store::Store& store, const store::Location& where, const store::ReadOptions& options) {
  auto reader = co_await store.open(where, options);
  if (!reader) co_return reader.error();
  co_return co_await drain(**reader);
}

// Passes `data` to `writer` in 64 KiB chunks, as the api does. After a failed write the writer
// is aborted and the error returned.
inline boost::asio::awaitable<common::Result<void>> write_in_chunks(store::ImageWriter& writer,
                                                                    const std::string& data) {
  for (size_t off = 0; off < data.size(); off += 65536) {
    const std::span<const char> chunk(data.data() + off,
                                      std::min<size_t>(65536, data.size() - off));
    if (auto w = co_await writer.write(chunk); !w) {
      co_await writer.abort();
      co_return w.error();
    }
  }
  co_return common::Result<void>();
}

// begin_add, write_in_chunks, commit.
inline boost::asio::awaitable<common::Result<store::StoredImage>> add_in_chunks(
    store::Store& store, const std::string& id, const std::string& data, uint64_t declared) {
  auto writer = co_await store.begin_add(id, declared);
  if (!writer) co_return writer.error();
  if (auto written = co_await write_in_chunks(**writer, data); !written) co_return written.error();
  co_return co_await (*writer)->commit();
}

}  // namespace glance::testing
