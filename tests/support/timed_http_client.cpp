#include "tests/support/timed_http_client.h"

#include "tests/support/http_message.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace glance::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

net::awaitable<void> exchange(beast::tcp_stream& stream, int port,
                              http::request<http::string_body>& req, bool head, TimedReply& out) {
  constexpr auto tuple = net::as_tuple(net::use_awaitable);
  auto [connected] = co_await stream.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), tuple);
  if (connected) {
    out.failure = "connect: " + connected.message();
    co_return;
  }
  auto [written, n] = co_await http::async_write(stream, req, tuple);
  // A server may answer before reading the whole body (an early error): read all the same.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.skip(head);
  auto [read, m] = co_await http::async_read(stream, buffer, parser, tuple);
  if (read) {
    out.failure = (written ? "write: " + written.message() + ", " : std::string()) +
                  "read: " + read.message();
    co_return;
  }
  out.answered = true;
  out.response = to_http_response(parser.release());
}

}  // namespace

TimedReply timed_request(int port, const std::string& method, const std::string& target,
                         const HeaderList& headers, const std::string& body,
                         std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  auto req = loopback_request(port, method, target, headers);
  set_body(req, body);
  TimedReply out;
  net::co_spawn(ioc, exchange(stream, port, req, method == "HEAD", out), net::detached);
  ioc.run();
  return out;
}

}  // namespace glance::testing
