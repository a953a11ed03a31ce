#pragma once

#include "common/http/response.h"
#include "common/http/router.h"
#include "common/http/server_config.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

namespace glance::common::http {

// Runs before routing, in order. May rewrite the request (path, context, request id) or
// answer it at once (healthcheck, version documents, 401 from the context filter). Either a
// plain function, or a coroutine for a filter that waits on I/O (token validation); the plain
// kind costs no coroutine frame per request.
class Filter {
 public:
  using Sync = std::function<std::optional<Response>(Request&)>;
  using Async = std::function<boost::asio::awaitable<std::optional<Response>>(Request&)>;

  template <class F>
  requires std::convertible_to<std::invoke_result_t<F&, Request&>, std::optional<Response>> Filter(
      F f)
      : sync_(std::move(f)) {}  // NOLINT: implicit, like std::function
  template <class F>
  requires std::same_as<std::invoke_result_t<F&, Request&>,
                        boost::asio::awaitable<std::optional<Response>>>
  Filter(F f) : async_(std::move(f)) {}  // NOLINT

  bool is_async() const { return static_cast<bool>(async_); }
  std::optional<Response> run(Request& req) const { return sync_(req); }
  boost::asio::awaitable<std::optional<Response>> run_async(Request& req) const {
    return async_(req);
  }

 private:
  Sync sync_;
  Async async_;
};

// What the server tells its observer about each request it answered (for metrics).
struct RequestRecord {
  std::string_view method;
  std::string_view route;  // Request::route: empty when no route took the request
  unsigned status = 0;
  std::chrono::duration<double> elapsed{};  // from the header read to the answer written
  uint64_t bytes_written = 0;               // of the answer's body
};
using RequestObserver = std::function<void(const RequestRecord&)>;

// An HTTP/1.1 server on Beast: accepts connections, runs one coroutine per connection on its
// own strand, reads the header, runs the filters, asks the router, reads or streams the body
// as the route wants, calls the handler, serializes its Response, logs one access line.
// Lives as long as the io_context runs; stop() is safe from any thread.
class HttpServer {
 public:
  // `early_routes` (optional) are served before the filters run, like oslo's healthcheck
  // middleware that sits in front of version negotiation and authentication: operational
  // endpoints answer without credentials. Their bodies are read buffered.
  HttpServer(boost::asio::io_context& ioc, ServerConfig config, const Router& router,
             std::vector<Filter> filters, const Router* early_routes = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound port (useful with bind_port = 0).
  // Fails with unavailable when the address cannot be bound.
  Result<uint16_t> start();
  // Stops accepting, closes idle keep-alive connections and lets requests in flight finish.
  void stop();
  // Cuts every open connection, idle or busy: a request in flight sees its client gone and
  // runs its own failure path (an upload ends killed with its data removed). Used when
  // the drain grace period is over.
  void abort_connections();
  // Reads the TLS files again into a new context for the connections accepted from now on;
  // those already open keep theirs. A file that does not load leaves the running context in
  // place and fails with bad_request naming it. Nothing to do without TLS. Thread-safe.
  Result<void> reload_tls();
  // Requests being served right now.
  size_t active_requests() const;
  // Client connections open right now.
  size_t open_connections() const;
  // Called once per answered request, on the connection's thread; set before start(). Must
  // not block: it runs on an I/O thread.
  void set_observer(RequestObserver observer);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace glance::common::http
