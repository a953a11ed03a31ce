#include "common/http/server.h"

#include "common/http/server_state.h"
#include "common/http/tls_context.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

namespace glance::common::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

// Seconds a client refused for lack of capacity is told to wait.
constexpr int kRetryAfterSeconds = 5;

// Answers a connection over max_connections with 503 and closes it, without reading the
// request.
net::awaitable<void> refuse_connection(tcp::socket socket) {
  AnyStream stream{beast::tcp_stream(std::move(socket))};
  stream.expires_after(std::chrono::seconds(2));
  Response answer =
      to_response(Error::unavailable("Too many open connections; try again later."), "text/plain");
  bhttp::response<bhttp::string_body> res{bhttp::status::service_unavailable, 11};
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.set(bhttp::field::retry_after, std::to_string(kRetryAfterSeconds));
  res.body() = std::move(std::get<std::string>(answer.body));
  res.keep_alive(false);
  res.prepare_payload();
  auto [ec, n] = co_await bhttp::async_write(stream, res, kTuple);
  if (!ec) co_await linger_close(stream);
}

// Accept errors that mean the process or the system is out of something (descriptors,
// memory): retrying at once would spin; waiting lets connections close meanwhile.
bool out_of_resources(const boost::system::error_code& ec) {
  return ec == net::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == net::error::no_buffer_space || ec == net::error::no_memory;
}

net::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
  net::steady_timer backoff(state->acceptor.get_executor());
  auto last_warning = std::chrono::steady_clock::time_point{};
  while (!state->stopping) {
    auto [ec, socket] = co_await state->acceptor.async_accept(net::make_strand(state->ioc), kTuple);
    if (ec) {
      if (state->stopping || ec == net::error::operation_aborted) break;
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning > std::chrono::seconds(10)) {
        spdlog::warn("accept failed: {}", ec.message());
        last_warning = now;
      }
      if (out_of_resources(ec)) {
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kTuple);
      }
      continue;
    }
    // A response goes out in several writes (the head, then a streamed body's pieces: lists,
    // downloads from remote stores). With Nagle's algorithm each small write after the first
    // waits for the client's ACK, which Linux clients delay by up to 40 ms: every streamed
    // answer would take 40 ms more.
    boost::system::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    auto ex = socket.get_executor();
    auto tls = state->tls_context();
    if (state->connections.fetch_add(1) >= state->config.max_connections) {
      state->connections--;
      // Over TLS an answer would first cost a handshake: the client just sees the close.
      if (!tls) net::co_spawn(ex, refuse_connection(std::move(socket)), net::detached);
      continue;
    }
    net::co_spawn(ex, serve_connection(state, std::move(socket), std::move(tls)), net::detached);
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
  if (state_->config.tls.enabled()) {
    auto context = make_server_tls_context(state_->config.tls);
    if (!context) return context.error();
    state_->tls = std::move(*context);
  }
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

Result<void> HttpServer::reload_tls() {
  if (!state_->config.tls.enabled()) return {};
  auto context = make_server_tls_context(state_->config.tls);
  if (!context) return context.error();
  std::lock_guard lock(state_->tls_mutex);
  state_->tls = std::move(*context);
  return {};
}

size_t HttpServer::active_requests() const {
  return state_->active_requests;
}

size_t HttpServer::open_connections() const {
  return state_->connections;
}

void HttpServer::set_observer(RequestObserver observer) {
  state_->observer = std::move(observer);
}

}  // namespace glance::common::http
