#include "common/http/server.h"

#include "common/http/server_state.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace glance::common::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
net::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
  while (!state->stopping) {
    auto [ec, socket] = co_await state->acceptor.async_accept(net::make_strand(state->ioc),
                                                              net::as_tuple(net::use_awaitable));
    if (ec) {
      if (state->stopping || ec == net::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    auto ex = socket.get_executor();
    net::co_spawn(ex, serve_connection(state, std::move(socket)), net::detached);
  }
}
}  // namespace

HttpServer::HttpServer(net::io_context& ioc, ServerConfig config, const Router& router,
                       std::vector<Filter> filters, const Router* early_routes)
    : state_(std::make_shared<State>(ioc, std::move(config), router, std::move(filters))) {
  state_->early_routes = early_routes;
}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::start() {
  boost::system::error_code ec;
  auto address = net::ip::make_address(state_->config.bind_host, ec);
  if (ec) return Error::bad_request("invalid bind_host '" + state_->config.bind_host + "'");
  tcp::endpoint endpoint(address, state_->config.bind_port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(state_->config.backlog, ec);
  if (ec)
    return Error::unavailable("cannot listen on " + state_->config.bind_host + ":" +
                              std::to_string(state_->config.bind_port) + ": " + ec.message());
  uint16_t port = acceptor.local_endpoint().port();
  net::co_spawn(acceptor.get_executor(), accept_loop(state_), net::detached);
  return port;
}

void HttpServer::stop() {
  auto state = state_;
  if (state->stopping.exchange(true)) return;
  net::post(state->acceptor.get_executor(), [state] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
  });
  std::lock_guard lock(state->idle_mutex);
  for (auto* socket : state->idle) {
    // Each idle socket belongs to its session's strand: close it there.
    net::post(socket->get_executor(), [state, socket] {
      std::lock_guard inner(state->idle_mutex);
      if (state->idle.count(socket)) {
        boost::system::error_code ec;
        socket->cancel(ec);
      }
    });
  }
}

void HttpServer::abort_connections() {
  auto state = state_;
  std::lock_guard lock(state->idle_mutex);
  for (auto* socket : state->open) {
    net::post(socket->get_executor(), [state, socket] {
      std::lock_guard inner(state->idle_mutex);
      if (!state->open.count(socket)) return;
      boost::system::error_code ec;
      socket->shutdown(tcp::socket::shutdown_both, ec);
      socket->cancel(ec);
    });
  }
}

size_t HttpServer::active_requests() const {
  return state_->active_requests;
}

}  // namespace glance::common::http
