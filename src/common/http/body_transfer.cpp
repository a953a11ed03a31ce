#include "common/http/body_transfer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <vector>

namespace glance::common::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

const Error& client_gone() {
  static const Error e =
      Error::bad_request("Client disconnected before sending all data to backend");
  return e;
}

// Why reading a body failed, for the client when it is still there to read the answer.
Error body_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::buffer_overflow)
    return Error::bad_request("Chunk extensions or trailers too long.");
  if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension ||
      ec == bhttp::error::bad_field || ec == bhttp::error::bad_value)
    return Error::bad_request("Malformed chunked request body.");
  return client_gone();
}

bool expects_continue(const HeaderParser& parser) {
  const auto& h = parser.get();
  return h.version() == 11 && iequals(h[bhttp::field::expect], "100-continue");
}

net::awaitable<bool> send_continue(AnyStream& stream) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await net::async_write(stream, net::buffer(kContinue), kTuple);
  co_return !ec;
}

// Per read from the socket while streaming a body: large enough to amortise a system call
// and a timer update, small enough to keep an idle keep-alive connection cheap.
constexpr size_t kStreamReadBytes = 256 * 1024;

class BeastBodyReader final : public StreamedBodyReader {
 public:
  BeastBodyReader(AnyStream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                  const ServerConfig& config)
      : stream_(stream),
        buffer_(buffer),
        continue_pending_(expects_continue(header)),
        parser_(std::move(header)),
        timeout_(config.client_socket_timeout) {
    parser_.body_limit(boost::none);  // the handler enforces image_size_cap itself
    // Beast reads at most the buffer's free capacity per call; the header read leaves it at a
    // few hundred bytes, which would turn an image upload into millions of tiny reads.
    buffer_.reserve(kStreamReadBytes);
  }

  // glance::common::http::BodyReader
  net::awaitable<Result<size_t>> read_some(std::span<char> out) override {
    if (failed_) co_return *failed_;
    if (continue_pending_) {
      continue_pending_ = false;
      if (!co_await send_continue(stream_)) co_return fail({});
    }
    while (!parser_.is_done()) {
      auto& body = parser_.get().body();
      body.data = out.data();
      body.size = out.size();
      stream_.expires_after(timeout_);
      auto [ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser_, kTuple);
      if (ec && ec != bhttp::error::need_buffer) co_return fail(ec);
      size_t got = out.size() - parser_.get().body().size;
      if (got > 0) co_return got;
    }
    co_return size_t{0};
  }

  // glance::common::http::StreamedBodyReader
  bool finished() const override { return parser_.is_done() && !failed_; }

 private:
  Error fail(const boost::system::error_code& ec) {
    failed_ = body_error(ec);
    return *failed_;
  }

  AnyStream& stream_;
  beast::flat_buffer& buffer_;
  bool continue_pending_;
  std::optional<Error> failed_;
  bhttp::request_parser<bhttp::buffer_body> parser_;
  std::chrono::seconds timeout_;
};

std::optional<uint64_t> body_length(const Response& res) {
  if (auto* s = std::get_if<std::string>(&res.body)) return s->size();
  if (auto* f = std::get_if<FileRange>(&res.body)) return f->length;
  return std::get<StreamBody>(res.body).length;
}

// Waits until the socket takes more data, at most `timeout`: a client that stops reading
// must not hold its connection and the open image file forever.
net::awaitable<bool> wait_writable(net::ip::tcp::socket& socket, std::chrono::seconds timeout) {
  net::steady_timer timer(socket.get_executor());
  timer.expires_after(timeout);
  // Timer and socket share the connection's strand. A timer handler already queued when the
  // wait ends may run after this frame is gone: it must see `done` and leave the socket be.
  auto done = std::make_shared<bool>(false);
  timer.async_wait([&socket, done](boost::system::error_code ec) {
    if (ec || *done) return;
    *done = true;
    socket.cancel(ec);
  });
  auto [ec] = co_await socket.async_wait(net::ip::tcp::socket::wait_write, kTuple);
  const bool timed_out = *done;
  *done = true;
  timer.cancel();
  co_return !ec && !timed_out;
}

net::awaitable<bool> send_file(AnyStream& stream, FileRange& file, std::chrono::seconds timeout) {
  auto& socket = stream.socket();
  boost::system::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return false;
  off_t offset = static_cast<off_t>(file.offset);
  uint64_t left = file.length;
  while (left > 0) {
    ssize_t n = ::sendfile(socket.native_handle(), file.fd, &offset,
                           static_cast<size_t>(std::min<uint64_t>(left, 1 << 30)));
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!co_await wait_writable(socket, timeout)) co_return false;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      co_return false;  // peer gone, or the file is shorter than promised
    }
  }
  co_return true;
}

// TLS encrypts in user space, so sendfile(2) cannot serve it: the file is read in pieces
// small enough to read inline and each is written through the TLS stream.
net::awaitable<bool> copy_file(AnyStream& stream, FileRange& file, std::chrono::seconds timeout) {
  std::vector<char> piece(64 * 1024);
  off_t offset = static_cast<off_t>(file.offset);
  uint64_t left = file.length;
  while (left > 0) {
    ssize_t n = ::pread(file.fd, piece.data(), std::min<uint64_t>(left, piece.size()), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) co_return false;  // the file is shorter than promised, or unreadable
    stream.expires_after(timeout);
    auto [ec, w] = co_await net::async_write(
        stream, net::buffer(piece.data(), static_cast<size_t>(n)), kTuple);
    if (ec) co_return false;
    offset += n;
    left -= static_cast<uint64_t>(n);
  }
  co_return true;
}

// Copies the stream to the socket. With a length, exactly that many bytes; without one, until
// the source ends, framed as chunks when `chunked`. Returns the bytes sent, or nothing when
// either side failed (the caller then closes the connection, which tells the client).
net::awaitable<std::optional<uint64_t>> send_stream(AnyStream& stream, StreamBody& body,
                                                    bool chunked, std::chrono::seconds timeout) {
  std::vector<char> chunk(body.piece_bytes);
  std::optional<uint64_t> left = body.length;
  uint64_t sent = 0;
  while (!left || *left > 0) {
    auto n = co_await body.reader->read_some(chunk);
    if (!n) co_return std::nullopt;
    if (*n == 0) {
      if (left) co_return std::nullopt;  // the source ended early: cut the connection
      break;
    }
    size_t len = left ? static_cast<size_t>(std::min<uint64_t>(*n, *left)) : *n;
    stream.expires_after(timeout);
    boost::system::error_code ec;
    if (chunked) {
      std::tie(ec, std::ignore) = co_await net::async_write(
          stream, bhttp::make_chunk(net::buffer(chunk.data(), len)), kTuple);
    } else {
      std::tie(ec, std::ignore) =
          co_await net::async_write(stream, net::buffer(chunk.data(), len), kTuple);
    }
    if (ec) co_return std::nullopt;
    if (left) *left -= len;
    sent += len;
  }
  if (chunked) {
    stream.expires_after(timeout);
    auto [ec, w] = co_await net::async_write(stream, bhttp::make_chunk_last(), kTuple);
    if (ec) co_return std::nullopt;
  }
  co_return sent;
}

}  // namespace

size_t read_buffer_limit(uint32_t header_limit) {
  return size_t{header_limit} + kStreamReadBytes;
}

net::awaitable<Result<std::string>> read_buffered_body(AnyStream& stream,
                                                       beast::flat_buffer& buffer,
                                                       HeaderParser& parser,
                                                       const ServerConfig& config) {
  if (parser.is_done()) co_return std::string();
  if (parser.content_length() && *parser.content_length() > config.max_buffered_body)
    co_return Error::payload_too_large("Request body too large.");
  if (expects_continue(parser) && !co_await send_continue(stream)) co_return client_gone();
  bhttp::request_parser<bhttp::string_body> body_parser(std::move(parser));
  body_parser.body_limit(config.max_buffered_body);
  stream.expires_after(config.client_socket_timeout);
  auto [ec, n] = co_await bhttp::async_read(stream, buffer, body_parser, kTuple);
  if (ec == bhttp::error::body_limit) co_return Error::payload_too_large("Request body too large.");
  if (ec) co_return body_error(ec);
  co_return std::move(body_parser.get().body());
}

std::unique_ptr<StreamedBodyReader> make_streamed_body_reader(AnyStream& stream,
                                                              beast::flat_buffer& buffer,
                                                              HeaderParser& parser,
                                                              const ServerConfig& config) {
  return std::make_unique<BeastBodyReader>(stream, buffer, parser, config);
}

net::awaitable<WriteOutcome> write_response(AnyStream& stream, const Request& req, Response& res,
                                            bool keep_alive, const ServerConfig& config) {
  bool header_only = req.method == "HEAD" || res.head_only;
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(res.status),
                                          req.version == 10 ? 10u : 11u};
  for (const auto& [name, value] : res.headers) head.insert(name, value);
  bool no_length = res.status == 204 || res.status == 304 || res.status < 200;
  const auto length = body_length(res);
  // A stream of unknown length is chunked for HTTP/1.1 clients; HTTP/1.0 ones read to the end
  // of the connection.
  const bool chunked = !length && !header_only && req.version != 10;
  if (!length && !header_only && !chunked) keep_alive = false;
  head.keep_alive(keep_alive);
  if (!no_length && !res.headers.contains("Content-Length")) {
    if (header_only)
      head.content_length(length.value_or(0));
    else if (length)
      head.content_length(*length);
    else if (chunked)
      head.chunked(true);
  }

  stream.expires_after(config.client_socket_timeout);
  if (auto* text = std::get_if<std::string>(&res.body); text && !header_only) {
    bhttp::response<bhttp::string_body> full{std::move(head), std::move(*text)};
    auto [ec, n] = co_await bhttp::async_write(stream, full, kTuple);
    co_return WriteOutcome{!ec, ec ? 0 : full.body().size()};
  }
  // The header alone: serialized whole, a chunked empty_body message would end right there.
  bhttp::response_serializer<bhttp::empty_body> serializer(head);
  auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kTuple);
  if (ec) co_return WriteOutcome{false, 0};
  if (header_only || std::holds_alternative<std::string>(res.body)) co_return WriteOutcome{true, 0};
  if (auto* file = std::get_if<FileRange>(&res.body)) {
    bool ok = stream.is_tls() ? co_await copy_file(stream, *file, config.client_socket_timeout)
                              : co_await send_file(stream, *file, config.client_socket_timeout);
    co_return WriteOutcome{ok, ok ? file->length : 0};
  }
  auto sent = co_await send_stream(stream, std::get<StreamBody>(res.body), chunked,
                                   config.client_socket_timeout);
  co_return WriteOutcome{sent.has_value() && keep_alive, sent.value_or(0)};
}

}  // namespace glance::common::http
