#pragma once

#include "common/error.h"
#include "common/http/address_check.h"
#include "common/http/body.h"
#include "common/http/headers.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace glance::common::http {

// The server end of an outbound connection. TLS when `tls`.
struct Origin {
  bool tls = false;
  std::string host;  // a name or an address literal (IPv6 without brackets)
  uint16_t port = 80;

  // The Host header's value: the port only when it is not the scheme's default.
  std::string host_header() const;
  // "http://host:port", for messages.
  std::string text() const;
  bool operator==(const Origin&) const = default;
};

// An absolute http:// or https:// URL taken apart.
struct Url {
  Origin origin;
  std::string target;    // path and query as sent on the request line; "/" at least
  std::string userinfo;  // percent-encoded "user:password", or empty
};

// Fails with bad_request for anything but a well-formed http(s) URL with a host and a valid
// port. Schemes are case-insensitive.
Result<Url> parse_http_url(std::string_view text);

struct ClientConfig {
  std::chrono::seconds connect_timeout{10};
  // Per read or write: a server that stalls longer is given up on.
  std::chrono::seconds io_timeout{60};
  bool verify_tls = true;
  std::string ca_file;  // empty: the system's certificate store
  // A client certificate (PEM chain and its key, both or neither) for servers that ask for
  // one. check_client_tls_files (tls_context.h) vets them; files that do not load here are
  // left out, which such a server refuses at the handshake.
  std::string cert_file;
  std::string key_file;
  // Idle keep-alive connections kept per origin.
  size_t max_idle_per_origin = 8;
  // An idle connection older than this is closed rather than reused: servers drop idle
  // connections after a while of their own, and a burst must not leave the pool at its peak.
  std::chrono::milliseconds max_idle_time{std::chrono::seconds(20)};
};

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  Headers headers;
  // How a streamed body is framed: no body, Content-Length, or chunks when the length is not
  // known up front.
  enum class Framing { none, length, chunked } framing = Framing::none;
  uint64_t content_length = 0;
  // A POST that may safely be sent twice (an authentication): like other methods, it is sent
  // again on a new connection when a reused one fails before the answer.
  bool repeatable = false;
  // Bytes per socket read of the response body. Beast reads at most its buffer's free
  // capacity per call, and the header read leaves that at a few hundred bytes: without room
  // an image download turns into millions of tiny reads. Replies read in small pieces (the
  // registry's) need less, and each answer in flight holds this much.
  size_t read_buffer_bytes = 256 * 1024;
};

struct ClientResponseHead {
  unsigned status = 0;
  Headers headers;
  std::optional<uint64_t> content_length;
};

// A response read whole (small replies: auth, manifests, XML).
struct ClientReply {
  unsigned status = 0;
  Headers headers;
  std::string body;
};

class Connection;
class ConnectionPool;

// One request and its response on one connection. The request body is written with write(),
// then response() ends it and reads the response header, then the body is read like any
// BodyReader. A connection whose response was read to the end goes back to the pool; one
// abandoned midway is closed. Not thread-safe.
class ClientExchange final : public BodyReader {
 public:
  ClientExchange(std::unique_ptr<Connection> connection, std::shared_ptr<ConnectionPool> pool,
                 const ClientRequest& request, std::chrono::seconds io_timeout);
  ~ClientExchange() override;

  // Errors: unavailable (the server went away or stalled).
  boost::asio::awaitable<Result<void>> write(std::span<const char> data);
  // Errors: unavailable, bad_gateway (not HTTP).
  boost::asio::awaitable<Result<ClientResponseHead>> response();
  // glance::common::http::BodyReader: the response body. Errors: unavailable.
  boost::asio::awaitable<Result<size_t>> read_some(std::span<char> buf) override;
  // The rest of the body, refusing more than `limit` bytes (bad_gateway).
  boost::asio::awaitable<Result<std::string>> read_all(size_t limit);

 private:
  Error fail(std::string_view what, const boost::system::error_code& ec);

  std::unique_ptr<Connection> connection_;
  std::shared_ptr<ConnectionPool> pool_;
  std::chrono::seconds io_timeout_;
  // What is still to be sent of the request body: none once it is complete.
  ClientRequest::Framing framing_;
  uint64_t body_left_;
  size_t read_buffer_bytes_;
  bool head_request_;
  bool body_done_ = false;
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// HTTP/1.1 client for the stores and the registry: plain or TLS (1.2 and later), keep-alive
// connections pooled per origin, timeouts on connect and on every read and write, bodies streamed
// both ways. Safe for concurrent use from the threads of one io_context.
class HttpClient {
 public:
  explicit HttpClient(ClientConfig config);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects (or reuses a live idle connection) and sends the request header. `check`, when
  // set, vets every resolved address, and the address of an idle connection before reusing it
  // (the pool is keyed by origin, whatever policy vetted a connection). Errors: unavailable
  // (cannot resolve, connect, or complete the TLS handshake), the check's error.
  boost::asio::awaitable<Result<std::unique_ptr<ClientExchange>>> start(
      const Origin& origin, const ClientRequest& request, const AddressCheck* check = nullptr);

  // A request with its body in memory and the reply read whole, refusing replies over
  // `limit` bytes. Retried once on a fresh connection when a reused one turns out dead.
  boost::asio::awaitable<Result<ClientReply>> fetch(const Origin& origin, ClientRequest request,
                                                    std::string_view body = {},
                                                    size_t limit = 1 << 20,
                                                    const AddressCheck* check = nullptr);

  const ClientConfig& config() const { return config_; }

 private:
  boost::asio::awaitable<Result<std::unique_ptr<ClientExchange>>> start_on(
      std::unique_ptr<Connection> connection, const ClientRequest& request);
  boost::asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const Origin& origin,
                                                                      const AddressCheck* check);

  ClientConfig config_;
  struct Tls;
  std::unique_ptr<Tls> tls_;
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace glance::common::http
