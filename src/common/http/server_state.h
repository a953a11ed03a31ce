#pragma once

// Internal to the HTTP server: shared by server.cpp (accepting) and session.cpp (serving).

#include "common/http/any_stream.h"
#include "common/http/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <mutex>
#include <set>

namespace glance::common::http {

struct HttpServer::State {
  boost::asio::io_context& ioc;
  ServerConfig config;
  const Router& router;
  std::vector<Filter> filters;
  const Router* early_routes = nullptr;
  RequestObserver observer;
  boost::asio::ip::tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> active_requests{0};
  std::atomic<size_t> connections{0};  // open client connections, for max_connections

  // Connections waiting for their next request (stop() closes them), and every open
  // connection (abort_connections() cuts them). Both guarded by idle_mutex.
  std::mutex idle_mutex;
  std::set<boost::asio::ip::tcp::socket*> idle;
  std::set<boost::asio::ip::tcp::socket*> open;

  // The TLS context new connections use; null for plain HTTP. Replaced whole on reload, so a
  // connection keeps the context it was accepted with. Guarded by tls_mutex.
  std::mutex tls_mutex;
  std::shared_ptr<boost::asio::ssl::context> tls;

  std::shared_ptr<boost::asio::ssl::context> tls_context() {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  State(boost::asio::io_context& ioc, ServerConfig config, const Router& router,
        std::vector<Filter> filters)
      : ioc(ioc),
        config(std::move(config)),
        router(router),
        filters(std::move(filters)),
        acceptor(boost::asio::make_strand(ioc)) {}
};

// Shuts the sending side, drops what the client still sends for a bounded while, then
// closes: a client that is still sending a body sees our answer rather than a reset.
boost::asio::awaitable<void> linger_close(AnyStream& stream);

// Serves one connection until it closes: first the TLS handshake when `tls` is set, bounded
// by client_socket_timeout (at most 30 s). Runs on the socket's strand.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<HttpServer::State> state,
                                              boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace glance::common::http
