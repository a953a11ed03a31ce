#include "tests/support/http_client.h"

#include "tests/support/http_message.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace glance::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return std::nullopt;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const HeaderList& headers, const std::string& body,
                                 bool chunked) const {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address(host_), port_));
  HeaderList all = default_headers_;
  all.insert(all.end(), headers.begin(), headers.end());
  auto req = loopback_request(port_, method, target, all, host_);
  if (chunked) {
    req.chunked(true);
    http::request_serializer<http::string_body> sr(req);
    http::write_header(socket, sr);
    for (size_t off = 0; off < body.size(); off += 65536) {
      auto piece = net::buffer(body.data() + off, std::min<size_t>(65536, body.size() - off));
      net::write(socket, http::make_chunk(piece));
    }
    net::write(socket, http::make_chunk_last());
  } else {
    set_body(req, body);
    http::write(socket, req);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.skip(method == "HEAD");
  http::read(socket, buffer, parser);
  HttpResponse out = to_http_response(parser.release());
  return out;
}

std::string HttpClient::raw(const std::string& bytes) const {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address(host_), port_));
  net::write(socket, net::buffer(bytes));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = socket.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

void HttpClient::raw_then_close(const std::string& bytes) const {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address(host_), port_));
  net::write(socket, net::buffer(bytes));
  socket.shutdown(tcp::socket::shutdown_send);
  socket.close();
}

}  // namespace glance::testing
