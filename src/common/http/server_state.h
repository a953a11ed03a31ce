#pragma once

// Internal to the HTTP server: shared by server.cpp (accepting) and session.cpp (serving).

#include "common/http/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

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
  boost::asio::ip::tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> active_requests{0};
  std::atomic<size_t> connections{0};  // open client connections, for max_connections

  // Connections waiting for their next request (stop() closes them), and every open
  // connection (abort_connections() cuts them). Both guarded by idle_mutex.
  std::mutex idle_mutex;
  std::set<boost::asio::ip::tcp::socket*> idle;
  std::set<boost::asio::ip::tcp::socket*> open;

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
boost::asio::awaitable<void> linger_close(boost::beast::tcp_stream& stream);

// Serves one connection until it closes. Runs on the socket's strand.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<HttpServer::State> state,
                                              boost::asio::ip::tcp::socket socket);

}  // namespace glance::common::http
