#include "common/http/server_state.h"

#include "common/http/body_transfer.h"
#include "common/http/framing.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace glance::common::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

// Marks a connection idle (between requests) so stop() can close it.
class IdleMark {
 public:
  IdleMark(HttpServer::State& s, tcp::socket& socket) : s_(s), socket_(&socket) {
    std::lock_guard lock(s_.idle_mutex);
    s_.idle.insert(socket_);
  }
  ~IdleMark() {
    std::lock_guard lock(s_.idle_mutex);
    s_.idle.erase(socket_);
  }

 private:
  HttpServer::State& s_;
  tcp::socket* socket_;
};

// Registers a connection for its whole life so abort_connections() can reach it. The
// connection was counted in `connections` when it was accepted; it is uncounted here.
class OpenMark {
 public:
  OpenMark(HttpServer::State& s, tcp::socket& socket) : s_(s), socket_(&socket) {
    std::lock_guard lock(s_.idle_mutex);
    s_.open.insert(socket_);
  }
  ~OpenMark() {
    std::lock_guard lock(s_.idle_mutex);
    s_.open.erase(socket_);
    s_.connections--;
  }

 private:
  HttpServer::State& s_;
  tcp::socket* socket_;
};

Request make_request(const bhttp::request_parser<bhttp::empty_body>& parser, AnyStream& stream) {
  const auto& h = parser.get();
  Request req;
  req.method = std::string(h.method_string());
  req.version = h.version();
  req.target = std::string(h.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  for (const auto& f : h) req.headers.add(std::string(f.name_string()), std::string(f.value()));
  req.chunked = parser.chunked();
  if (auto cl = parser.content_length()) req.content_length = *cl;
  boost::system::error_code ec;
  auto ep = stream.socket().remote_endpoint(ec);
  if (!ec) req.remote = ep.address().to_string();
  std::string host(h[bhttp::field::host]);
  req.host =
      (stream.is_tls() ? "https://" : "http://") + (host.empty() ? std::string("localhost") : host);
  req.started = std::chrono::steady_clock::now();
  return req;
}

// One access log line, and the observer's record.
void log_access(const HttpServer::State& state, const Request& req, unsigned status,
                uint64_t bytes) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - req.started;
  if (state.observer) state.observer({req.method, req.route, status, elapsed, bytes});
  const double ms = elapsed.count() * 1000;
  spdlog::info("{} {} {} {} {} {:.1f}ms tenant={}", req.request_id.empty() ? "-" : req.request_id,
               req.method, req.target, status, bytes, ms, req.context.tenant.value_or("-"));
}

Response error_response(const Request& req, const Error& e) {
  return to_response(e, req.headers.get("Accept").value_or(""));
}

// Answers a request that cannot be served on this connection (bad framing, oversized
// header) in Glance's error format, then the caller closes the connection.
net::awaitable<void> reject(AnyStream& stream, const Error& error, std::string_view accept = {}) {
  Response answer = to_response(error, accept);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.body() = std::move(std::get<std::string>(answer.body));
  res.keep_alive(false);
  res.prepare_payload();
  co_await bhttp::async_write(stream, res, kTuple);
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == beast::error::timeout || ec == net::error::operation_aborted ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe;
}

// What to answer when the header could not be read; nothing when the client just left.
std::optional<Error> header_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
    return Error::header_too_large("Request header fields too large.");
  if (ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_transfer_encoding)
    return Error::bad_request("Conflicting or invalid message framing.");
  if (is_disconnect(ec)) return std::nullopt;
  return Error::bad_request("Malformed request.");
}

// The answer to a request no route takes: `error`, with `allow` as the Allow header when
// given.
net::awaitable<Response> refuse_route(AnyStream& stream, beast::flat_buffer& buffer,
                                      bhttp::request_parser<bhttp::empty_body>& parser,
                                      HttpServer::State& state, Request& req, const Error& error,
                                      const std::string& allow, bool* body_complete) {
  auto res = error_response(req, error);
  if (!allow.empty()) res.headers.set("Allow", allow);
  // Read a small body anyway so the connection can stay open; a large one closes it.
  if (req.has_body()) {
    auto body = co_await read_buffered_body(stream, buffer, parser, state.config);
    *body_complete = body.has_value();
  }
  co_return res;
}

// Runs filters and the router, reads the body as the route wants, and calls the handler.
// Sets *body_complete once the request body has been read to its end; the caller keeps
// the connection only then, so an answer given early (a filter, an error, an exception)
// never leaves body bytes to be parsed as the next request.
net::awaitable<Response> dispatch(HttpServer::State& state, AnyStream& stream,
                                  beast::flat_buffer& buffer,
                                  bhttp::request_parser<bhttp::empty_body>& parser, Request& req,
                                  bool* body_complete) {
  if (state.early_routes) {
    Request probe;
    probe.method = req.method;
    probe.path = req.path;
    std::string allow;
    auto early = state.early_routes->match(probe, &allow);
    if (early) {
      auto body = co_await read_buffered_body(stream, buffer, parser, state.config);
      if (!body) co_return error_response(req, body.error());
      *body_complete = true;
      req.body = std::move(*body);
      req.path_params = std::move(probe.path_params);
      req.route = early->route;
      auto result = co_await (*early->handler)(req);
      co_return result ? std::move(*result) : error_response(req, result.error());
    }
    // An operational path is no API path: another method on it is 405, not whatever the
    // filters and the API's router would make of an unknown path.
    if (early.error().code() == Errc::method_not_allowed)
      co_return co_await refuse_route(stream, buffer, parser, state, req, early.error(), allow,
                                      body_complete);
  }
  for (const auto& filter : state.filters) {
    auto answer = filter.is_async() ? co_await filter.run_async(req) : filter.run(req);
    if (answer) co_return std::move(*answer);
  }

  if (auto q = req.target.find('?'); q != std::string::npos) {
    auto params = parse_query(std::string_view(req.target).substr(q + 1));
    if (!params) co_return error_response(req, Error::bad_request("Malformed query string."));
    req.query = std::move(*params);
  }
  std::string allow;
  auto match = state.router.match(req, &allow);
  if (!match)
    co_return co_await refuse_route(stream, buffer, parser, state, req, match.error(), allow,
                                    body_complete);

  req.route = match->route;
  if (match->body_mode == BodyMode::buffered) {
    auto body = co_await read_buffered_body(stream, buffer, parser, state.config);
    if (!body) co_return error_response(req, body.error());
    *body_complete = true;
    req.body = std::move(*body);
    auto result = co_await (*match->handler)(req);
    co_return result ? std::move(*result) : error_response(req, result.error());
  }
  auto reader = make_streamed_body_reader(stream, buffer, parser, state.config);
  req.body_reader = reader.get();
  auto result = co_await (*match->handler)(req);
  req.body_reader = nullptr;
  *body_complete = reader->finished();
  co_return result ? std::move(*result) : error_response(req, result.error());
}

}  // namespace

// Closes after the answer went out, as RFC 9112 §9.6 asks: the sending side first, then
// what the client still sends (a body we answered early, 413 or 503) is read and dropped
// for a short, bounded while. Closing with unread data would make the kernel reset the
// connection, and the client could lose the answer before reading it. Over TLS the sending
// side ends with close_notify, so a client can tell a complete answer from a cut one; what
// follows is dropped undecrypted.
net::awaitable<void> linger_close(AnyStream& stream) {
  boost::system::error_code ec;
  stream.expires_after(std::chrono::seconds(2));
  if (stream.is_tls()) std::tie(ec) = co_await stream.tls().async_shutdown(kTuple);
  auto& tcp = stream.lowest();
  tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!ec) {
    char sink[16384];
    size_t drained = 0;
    while (!ec && drained < (4u << 20)) {
      size_t n = 0;
      std::tie(ec, n) = co_await tcp.async_read_some(net::buffer(sink), kTuple);
      drained += n;
    }
  }
  tcp.close();
}

namespace {
// The longest a TLS handshake may take, whatever client_socket_timeout says: a client that
// connects and stalls holds a connection slot meanwhile.
constexpr std::chrono::seconds kMaxHandshake{30};

AnyStream make_stream(tcp::socket socket, const std::shared_ptr<net::ssl::context>& tls) {
  beast::tcp_stream plain(std::move(socket));
  if (!tls) return AnyStream(std::move(plain));
  return AnyStream(std::make_unique<AnyStream::TlsStream>(std::move(plain), *tls));
}

// False when the client did not complete a handshake in time (it sent nothing, plain HTTP,
// garbage, or a certificate the CA file does not vouch for): the caller drops the connection.
net::awaitable<bool> tls_handshake(AnyStream& stream, const ServerConfig& cfg) {
  stream.expires_after(std::min(cfg.client_socket_timeout, kMaxHandshake));
  auto [ec] = co_await stream.tls().async_handshake(net::ssl::stream_base::server, kTuple);
  if (ec) {
    boost::system::error_code peer_ec;
    auto peer = stream.socket().remote_endpoint(peer_ec);
    spdlog::warn("TLS handshake with {} failed: {}",
                 peer_ec ? std::string("a client") : peer.address().to_string(), ec.message());
  }
  co_return !ec;
}
}  // namespace

net::awaitable<void> serve_connection(std::shared_ptr<HttpServer::State> state, tcp::socket socket,
                                      std::shared_ptr<net::ssl::context> tls) {
  AnyStream stream = make_stream(std::move(socket), tls);
  const auto& cfg = state->config;
  const uint32_t header_limit = cfg.max_header_line * 4;
  // Bounded, so that what the parser keeps before it can decide (a header, a chunk line with
  // its extensions, trailers) cannot grow without limit: past it the read fails.
  beast::flat_buffer buffer(read_buffer_limit(header_limit));
  OpenMark open(*state, stream.socket());
  if (stream.is_tls() && !co_await tls_handshake(stream, cfg)) {
    stream.lowest().close();
    co_return;
  }
  for (;;) {
    bhttp::request_parser<bhttp::empty_body> parser;
    parser.header_limit(header_limit);
    // Body limits depend on the route: set once the body is read, not on the header.
    parser.body_limit(boost::none);
    stream.expires_after(cfg.client_socket_timeout);
    boost::system::error_code ec;
    {
      IdleMark idle(*state, stream.socket());
      if (state->stopping && buffer.size() == 0) break;
      std::tie(ec, std::ignore) = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    }
    if (ec) {
      if (auto answer = header_error(ec)) co_await reject(stream, *answer);
      break;
    }

    Request req = make_request(parser, stream);
    if (auto framing = check_request_framing(req.version, req.headers); !framing) {
      co_await reject(stream, framing.error(), req.headers.get("Accept").value_or(""));
      log_access(*state, req, to_http_status(framing.error().code()), 0);
      break;
    }
    state->active_requests++;
    // The body readers take the parser over, so read what we need from it first.
    const bool client_keep_alive = parser.get().keep_alive();
    bool body_complete = parser.is_done();
    Response res;
    try {
      res = co_await dispatch(*state, stream, buffer, parser, req, &body_complete);
    } catch (const std::exception& e) {
      spdlog::error("{} {} {}: unhandled exception: {}", req.request_id, req.method, req.target,
                    e.what());
      res = error_response(req, Error::internal("The server has either erred or is incapable "
                                                "of performing the requested operation."));
    }
    if (!req.request_id.empty()) res.headers.set("x-openstack-request-id", req.request_id);
    if (res.status == 401)
      for (const auto& [name, value] : req.unauthorized_headers)
        if (!res.headers.contains(name)) res.headers.add(name, value);
    bool keep_alive = cfg.http_keepalive && client_keep_alive && body_complete && !state->stopping;
    auto written = co_await write_response(stream, req, res, keep_alive, cfg);
    log_access(*state, req, res.status, written.bytes);
    if (res.on_sent) res.on_sent(written.bytes);
    state->active_requests--;
    if (!written.ok || !keep_alive) break;
  }
  co_await linger_close(stream);
}

}  // namespace glance::common::http
