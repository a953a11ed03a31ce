#include "common/http/client.h"

#include "common/http/any_stream.h"
#include "common/http/tls_context.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <sys/socket.h>

#include <charconv>
#include <iterator>

#include <map>
#include <mutex>
#include <vector>

namespace glance::common::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {
// Response headers of object stores are short; a megabyte of them means a broken peer.
constexpr uint32_t kMaxResponseHeaderBytes = 64 * 1024;

uint16_t default_port(bool tls) {
  return tls ? 443 : 80;
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}
}  // namespace

std::string Origin::host_header() const {
  if (port == default_port(tls)) return bracketed(host);
  return bracketed(host) + ":" + std::to_string(port);
}

std::string Origin::text() const {
  return std::string(tls ? "https://" : "http://") + bracketed(host) + ":" + std::to_string(port);
}

Result<Url> parse_http_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return Error::bad_request("Invalid URL: " + std::string(parsed.error().message()));
  const auto& u = *parsed;
  std::string scheme = to_lower(u.scheme());
  if (scheme != "http" && scheme != "https")
    return Error::bad_request("Not an http or https URL: scheme '" + scheme + "'");
  Url url;
  url.origin.tls = scheme == "https";
  if (u.host_type() == boost::urls::host_type::ipv6)
    url.origin.host = u.host_address();
  else
    url.origin.host = u.host();
  if (url.origin.host.empty()) return Error::bad_request("Invalid URL: no host");
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0 || u.port().size() > 5 ||
        std::to_string(u.port_number()) != std::string(u.port()))
      return Error::bad_request("Invalid URL: bad port '" + std::string(u.port()) + "'");
    url.origin.port = u.port_number();
  } else {
    url.origin.port = default_port(url.origin.tls);
  }
  if (u.has_userinfo()) url.userinfo = u.encoded_userinfo();
  url.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) url.target += "?" + std::string(u.encoded_query());
  return url;
}

class Connection {
 public:
  Connection(Origin origin, net::ip::address peer, AnyStream stream)
      : origin(std::move(origin)), peer(std::move(peer)), stream(std::move(stream)) {}

  // The server may have closed an idle connection; reading ahead without blocking tells.
  bool still_open(Clock::duration max_idle) {
    if (Clock::now() - idle_since > max_idle) return false;
    if (buffer.size() > 0) return false;  // bytes nobody asked for: the stream is out of step
    char byte;
    auto fd = stream.lowest().socket().native_handle();
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  Origin origin;
  net::ip::address peer;  // the address connected to, for re-vetting on reuse
  AnyStream stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since = Clock::now();
  bool reused = false;
};

class ConnectionPool {
 public:
  ConnectionPool(size_t max_per_origin, Clock::duration max_idle)
      : max_per_origin_(max_per_origin), max_idle_(max_idle) {}

  std::unique_ptr<Connection> take(const Origin& origin) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[key(origin)];
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (c->still_open(max_idle_)) {
        c->reused = true;
        return c;
      }
    }
    return nullptr;
  }

  // Also closes the connections that have idled past max_idle, whatever their origin: after a
  // burst the pool would otherwise keep its peak size until each one is taken again. Reuse
  // takes the newest, so the expired ones are at the front of each list.
  void give_back(std::unique_ptr<Connection> c) {
    const auto now = Clock::now();
    c->idle_since = now;
    // An idle connection keeps no read buffer (bytes already read stay): a streamed answer
    // reserves its request's read_buffer_bytes, and every pooled connection holding on to that grew
    // glance-api's memory with the pool after each burst of lists.
    c->buffer.shrink_to_fit();
    std::vector<std::unique_ptr<Connection>> expired;
    {
      std::lock_guard lock(mutex_);
      for (auto& [name, idle] : idle_) {
        auto end = idle.begin();
        while (end != idle.end() && now - (*end)->idle_since > max_idle_) ++end;
        std::move(idle.begin(), end, std::back_inserter(expired));
        idle.erase(idle.begin(), end);
      }
      auto& idle = idle_[key(c->origin)];
      if (idle.size() < max_per_origin_) idle.push_back(std::move(c));
    }
    // Closed outside the lock.
  }

 private:
  static std::string key(const Origin& o) {
    return (o.tls ? "s|" : "p|") + o.host + "|" + std::to_string(o.port);
  }
  size_t max_per_origin_;
  Clock::duration max_idle_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
};

namespace {
// An idle connection to `origin`, if one may serve a request vetted by `check`. The pool is
// keyed by origin alone and a connection was vetted only by the policy of whoever opened it
// (an operator's location on an internal host, say): it is vetted again, on the address it
// is connected to, before it carries a request under another policy. One refused is closed.
std::unique_ptr<Connection> take_vetted(ConnectionPool& pool, const Origin& origin,
                                        const AddressCheck* check) {
  auto connection = pool.take(origin);
  if (connection && check && *check && !(*check)(origin.host, connection->peer)) return nullptr;
  return connection;
}
}  // namespace

struct HttpClient::Tls {
  ssl::context context{ssl::context::tls_client};
};

struct ClientExchange::Parser {
  bhttp::response_parser<bhttp::buffer_body> parser;
  bool header_read = false;
};

ClientExchange::ClientExchange(std::unique_ptr<Connection> connection,
                               std::shared_ptr<ConnectionPool> pool, const ClientRequest& request,
                               std::chrono::seconds io_timeout)
    : connection_(std::move(connection)),
      pool_(std::move(pool)),
      io_timeout_(io_timeout),
      framing_(request.framing == ClientRequest::Framing::length && request.content_length == 0
                   ? ClientRequest::Framing::none
                   : request.framing),
      body_left_(request.framing == ClientRequest::Framing::length ? request.content_length : 0),
      read_buffer_bytes_(request.read_buffer_bytes),
      head_request_(iequals(request.method, "HEAD")),
      parser_(std::make_unique<Parser>()) {
  parser_->parser.body_limit(boost::none);
  parser_->parser.header_limit(kMaxResponseHeaderBytes);
  if (head_request_) parser_->parser.skip(true);
}

ClientExchange::~ClientExchange() {
  // Only a connection whose response was read to its end can carry another request.
  // A server may answer before the request body is all sent (an early error); such a
  // connection is out of step and must not carry another request.
  const bool request_sent = framing_ == ClientRequest::Framing::none && body_left_ == 0;
  if (connection_ && body_done_ && request_sent && parser_->parser.keep_alive())
    pool_->give_back(std::move(connection_));
}

Error ClientExchange::fail(std::string_view what, const boost::system::error_code& ec) {
  std::string where = connection_ ? connection_->origin.text() : std::string("server");
  connection_.reset();
  if (ec == beast::error::timeout)
    return Error::unavailable(std::string(what) + " " + where + " timed out");
  return Error::unavailable(std::string(what) + " " + where + " failed: " + ec.message());
}

net::awaitable<Result<void>> ClientExchange::write(std::span<const char> data) {
  if (!connection_) co_return Error::unavailable("connection already failed");
  if (data.empty()) co_return Result<void>();
  auto& stream = connection_->stream;
  stream.lowest().expires_after(io_timeout_);
  boost::system::error_code ec;
  if (framing_ == ClientRequest::Framing::chunked)
    std::tie(ec, std::ignore) = co_await net::async_write(
        stream, bhttp::make_chunk(net::buffer(data.data(), data.size())), kTuple);
  else
    std::tie(ec, std::ignore) =
        co_await net::async_write(stream, net::buffer(data.data(), data.size()), kTuple);
  if (ec) co_return fail("writing to", ec);
  if (framing_ == ClientRequest::Framing::length) {
    body_left_ -= std::min<uint64_t>(body_left_, data.size());
    if (body_left_ == 0) framing_ = ClientRequest::Framing::none;
  }
  co_return Result<void>();
}

net::awaitable<Result<ClientResponseHead>> ClientExchange::response() {
  if (!connection_) co_return Error::unavailable("connection already failed");
  auto& c = *connection_;
  if (framing_ == ClientRequest::Framing::chunked) {
    c.stream.lowest().expires_after(io_timeout_);
    auto [ec, n] = co_await net::async_write(c.stream, bhttp::make_chunk_last(), kTuple);
    if (ec) co_return fail("writing to", ec);
    framing_ = ClientRequest::Framing::none;
  }
  c.stream.lowest().expires_after(io_timeout_);
  auto [ec, n] = co_await bhttp::async_read_header(c.stream, c.buffer, parser_->parser, kTuple);
  if (ec) co_return fail("reading the answer of", ec);
  parser_->header_read = true;
  const auto& msg = parser_->parser.get();
  ClientResponseHead head;
  head.status = msg.result_int();
  for (const auto& field : msg)
    head.headers.add(std::string(field.name_string()), std::string(field.value()));
  if (!head_request_) {
    if (auto len = parser_->parser.content_length()) head.content_length = *len;
  } else if (auto len = msg[bhttp::field::content_length]; !len.empty()) {
    uint64_t v = 0;
    auto [end, err] = std::from_chars(len.data(), len.data() + len.size(), v);
    if (err == std::errc() && end == len.data() + len.size()) head.content_length = v;
  }
  body_done_ = parser_->parser.is_done();
  if (!body_done_) c.buffer.reserve(read_buffer_bytes_);
  co_return head;
}

net::awaitable<Result<size_t>> ClientExchange::read_some(std::span<char> out) {
  if (body_done_) co_return size_t{0};
  if (!connection_) co_return Error::unavailable("connection already failed");
  if (!parser_->header_read) co_return Error::internal("response body read before its header");
  auto& c = *connection_;
  auto& parser = parser_->parser;
  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = out.data();
    body.size = out.size();
    const size_t offered = body.size;
    c.stream.lowest().expires_after(io_timeout_);
    auto [ec, n] = co_await bhttp::async_read_some(c.stream, c.buffer, parser, kTuple);
    if (ec && ec != bhttp::error::need_buffer) co_return fail("reading from", ec);
    size_t got = offered - parser.get().body().size;
    if (got > 0) {
      body_done_ = parser.is_done();
      co_return got;
    }
  }
  body_done_ = true;
  co_return size_t{0};
}

net::awaitable<Result<std::string>> ClientExchange::read_all(size_t limit) {
  std::string out;
  std::vector<char> chunk(16 * 1024);  // small replies
  for (;;) {
    auto n = co_await read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) break;
    if (out.size() + *n > limit) {
      connection_.reset();
      co_return Error::bad_gateway("answer larger than " + std::to_string(limit) + " bytes");
    }
    out.append(chunk.data(), *n);
  }
  co_return out;
}

HttpClient::HttpClient(ClientConfig config)
    : config_(std::move(config)),
      tls_(std::make_unique<Tls>()),
      pool_(std::make_shared<ConnectionPool>(config_.max_idle_per_origin, config_.max_idle_time)) {
  boost::system::error_code ec;
  // The daemons refuse unloadable files at start-up (check_client_tls_files); one that broke
  // since is left out, and a server that wants a certificate refuses the handshake.
  (void)load_client_certificate(tls_->context,
                                {config_.cert_file, config_.key_file, config_.ca_file});
  if (config_.verify_tls) {
    tls_->context.set_verify_mode(ssl::verify_peer);
    if (config_.ca_file.empty())
      tls_->context.set_default_verify_paths(ec);
    else
      tls_->context.load_verify_file(config_.ca_file, ec);
  } else {
    tls_->context.set_verify_mode(ssl::verify_none);
  }
  // A missing CA file shows as failed handshakes, each naming the reason.
}

HttpClient::~HttpClient() = default;

net::awaitable<Result<std::unique_ptr<Connection>>> HttpClient::connect(const Origin& origin,
                                                                        const AddressCheck* check) {
  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, results] =
      co_await resolver.async_resolve(origin.host, std::to_string(origin.port), kTuple);
  if (rec) co_return Error::unavailable("cannot resolve " + origin.host + ": " + rec.message());
  std::vector<tcp::endpoint> endpoints;
  std::optional<Error> refused;
  for (const auto& entry : results) {
    if (check && *check) {
      if (auto ok = (*check)(origin.host, entry.endpoint().address()); !ok) {
        refused = ok.error();
        continue;
      }
    }
    endpoints.push_back(entry.endpoint());
  }
  if (endpoints.empty()) {
    if (refused) co_return *refused;
    co_return Error::unavailable("cannot resolve " + origin.host + ": no address");
  }
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(config_.connect_timeout);
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
  if (cec) {
    if (cec == beast::error::timeout)
      co_return Error::unavailable("connecting to " + origin.text() + " timed out");
    co_return Error::unavailable("cannot connect to " + origin.text() + ": " + cec.message());
  }
  tcp_stream.socket().set_option(tcp::no_delay(true));
  const auto peer = endpoint.address();
  if (!origin.tls)
    co_return std::make_unique<Connection>(origin, peer, AnyStream(std::move(tcp_stream)));

  auto tls = std::make_unique<AnyStream::TlsStream>(std::move(tcp_stream), tls_->context);
  // Server Name Indication, and the certificate must name the host we asked for.
  if (!SSL_set_tlsext_host_name(tls->native_handle(), origin.host.c_str()))
    co_return Error::unavailable("cannot set the TLS server name for " + origin.host);
  if (config_.verify_tls) tls->set_verify_callback(ssl::host_name_verification(origin.host));
  beast::get_lowest_layer(*tls).expires_after(config_.connect_timeout);
  auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, kTuple);
  if (hec)
    co_return Error::unavailable("TLS handshake with " + origin.text() +
                                 " failed: " + hec.message());
  co_return std::make_unique<Connection>(origin, peer, AnyStream(std::move(tls)));
}

net::awaitable<Result<std::unique_ptr<ClientExchange>>> HttpClient::start_on(
    std::unique_ptr<Connection> connection, const ClientRequest& request) {
  bhttp::request<bhttp::empty_body> head;
  head.method_string(request.method);
  head.target(request.target);
  head.version(11);
  head.set(bhttp::field::host, connection->origin.host_header());
  for (const auto& [name, value] : request.headers) head.set(name, value);
  head.keep_alive(true);
  switch (request.framing) {
    case ClientRequest::Framing::none:
      break;
    case ClientRequest::Framing::length:
      head.content_length(request.content_length);
      break;
    case ClientRequest::Framing::chunked:
      head.chunked(true);
      break;
  }
  bhttp::request_serializer<bhttp::empty_body> serializer(head);
  connection->stream.lowest().expires_after(config_.io_timeout);
  auto [ec, n] = co_await bhttp::async_write_header(connection->stream, serializer, kTuple);
  if (ec)
    co_return Error::unavailable("sending a request to " + connection->origin.text() +
                                 " failed: " + ec.message());
  co_return std::make_unique<ClientExchange>(std::move(connection), pool_, request,
                                             config_.io_timeout);
}

net::awaitable<Result<std::unique_ptr<ClientExchange>>> HttpClient::start(
    const Origin& origin, const ClientRequest& request, const AddressCheck* check) {
  auto connection = take_vetted(*pool_, origin, check);
  if (!connection) {
    auto fresh = co_await connect(origin, check);
    if (!fresh) co_return fresh.error();
    connection = std::move(*fresh);
  }
  co_return co_await start_on(std::move(connection), request);
}

net::awaitable<Result<ClientReply>> HttpClient::fetch(const Origin& origin, ClientRequest request,
                                                      std::string_view body, size_t limit,
                                                      const AddressCheck* check) {
  if (!body.empty() || request.method == "PUT" || request.method == "POST") {
    request.framing = ClientRequest::Framing::length;
    request.content_length = body.size();
  }
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> connection =
        attempt == 0 ? take_vetted(*pool_, origin, check) : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
      auto fresh = co_await connect(origin, check);
      if (!fresh) co_return fresh.error();
      connection = std::move(*fresh);
    }
    auto exchange = co_await start_on(std::move(connection), request);
    Result<ClientResponseHead> head = Error::unavailable("not sent");
    if (exchange) {
      const std::span<const char> bytes(body.data(), body.size());
      auto written = co_await (*exchange)->write(bytes);
      if (written)
        head = co_await (*exchange)->response();
      else
        head = written.error();
    }
    // A reused connection the server closed meanwhile fails before any answer: try once more
    // on a new one, unless the method is not idempotent.
    if (!exchange || !head) {
      if (reused && (request.method != "POST" || request.repeatable)) continue;
      co_return exchange ? head.error() : exchange.error();
    }
    auto text = co_await (*exchange)->read_all(limit);
    if (!text) co_return text.error();
    co_return ClientReply{head->status, std::move(head->headers), std::move(*text)};
  }
}

}  // namespace glance::common::http
