#pragma once

// Internal to the HTTP server: moving request and response bodies over a Beast stream.

#include "common/http/any_stream.h"
#include "common/http/request.h"
#include "common/http/response.h"
#include "common/http/server_config.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>

namespace glance::common::http {

using HeaderParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

// The most a connection's read buffer may hold: a header of `header_limit` bytes, or one
// streamed read of body bytes. Chunk lines (with their extensions) and trailers must fit
// too; anything longer fails the read instead of growing the buffer.
size_t read_buffer_limit(uint32_t header_limit);

// Reads the whole body (after answering `Expect: 100-continue`), bounded by
// config.max_buffered_body: over it → payload_too_large; a broken body → bad_request.
boost::asio::awaitable<Result<std::string>> read_buffered_body(AnyStream& stream,
                                                               boost::beast::flat_buffer& buffer,
                                                               HeaderParser& parser,
                                                               const ServerConfig& config);

// A request body read piece by piece by the handler. The interim 100 Continue is sent on the
// first read, as eventlet does, so a client is not asked for data nobody wants.
class StreamedBodyReader : public BodyReader {
 public:
  virtual bool finished() const = 0;
};
std::unique_ptr<StreamedBodyReader> make_streamed_body_reader(AnyStream& stream,
                                                              boost::beast::flat_buffer& buffer,
                                                              HeaderParser& parser,
                                                              const ServerConfig& config);

struct WriteOutcome {
  bool ok;         // false: the connection is unusable
  uint64_t bytes;  // body bytes sent
};
// Serializes a Response: string bodies directly, FileRange with sendfile(2) (over TLS, read
// and written in pieces), StreamBody by pumping its reader. A HEAD request or a head_only response
// sends the header alone.
boost::asio::awaitable<WriteOutcome> write_response(AnyStream& stream, const Request& req,
                                                    Response& res, bool keep_alive,
                                                    const ServerConfig& config);

}  // namespace glance::common::http
