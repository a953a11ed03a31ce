// Raw bytes as an HTTP request to the real server code (common::http::HttpServer, its
// sessions and body readers), over loopback. One server for the whole process, started in
// LLVMFuzzerInitialize with two routes: /echo reads its body buffered and answers its
// length; /stream (any method) reads a streamed body to its end. Each input goes over a fresh
// connection that is then half-closed; the server must answer (or not) and close it.
#include "common/http/server.h"
#include "tests/fuzz/fuzz_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

using glance::fuzz::check;
namespace http = glance::common::http;
namespace net = boost::asio;

namespace {

// Longer than any wait the server itself makes for a half-closed client, short enough that a
// connection left open is reported rather than taken for libFuzzer's own timeout.
constexpr int kCloseTimeoutSeconds = 5;

uint16_t server_port = 0;
// Held here for the whole process, so that leak detection sees them reachable.
http::HttpServer* server = nullptr;
net::executor_work_guard<net::io_context::executor_type>* keep_running = nullptr;

net::awaitable<glance::common::Result<http::Response>> echo_length(http::Request& req) {
  co_return http::Response::json(200, "{\"length\": " + std::to_string(req.body.size()) + "}");
}

net::awaitable<glance::common::Result<http::Response>> drain_stream(http::Request& req) {
  std::array<char, 4096> buf;
  uint64_t total = 0;
  for (;;) {
    auto n = co_await req.body_reader->read_some(buf);
    if (!n) co_return n.error();
    if (*n == 0) break;
    total += *n;
  }
  if (req.content_length) check(total == *req.content_length, "a streamed body has its length");
  co_return http::Response::json(200, "{\"length\": " + std::to_string(total) + "}");
}

void start_server() {
  // Everything lives for the whole process: the server thread never stops.
  auto* ioc = new net::io_context;
  auto* router = new http::Router;
  router->add("POST", "/echo", echo_length);
  router->add("PUT", "/echo", echo_length);
  router->add("*", "/stream", drain_stream, http::BodyMode::streamed);
  http::ServerConfig config;
  config.bind_host = "127.0.0.1";
  config.bind_port = 0;
  config.client_socket_timeout = std::chrono::seconds(2);
  config.max_buffered_body = 64 * 1024;
  server = new http::HttpServer(*ioc, config, *router, {});
  auto port = server->start();
  check(port.has_value(), "the server starts on loopback");
  server_port = *port;
  keep_running = new net::executor_work_guard<net::io_context::executor_type>(ioc->get_executor());
  std::thread([ioc] { ioc->run(); }).detach();
}

int connect_to_server() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(fd >= 0, "a socket opens");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's -timeout alarm (SIGALRM) may interrupt connect(); the connection then goes on
  // in the background, so wait for it rather than take EINTR for a refusal.
  bool connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (!connected && errno == EINTR) {
    pollfd writable{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    connected = poll(&writable, 1, kCloseTimeoutSeconds * 1000) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }
  if (!connected) std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
  check(connected, "the server accepts");
  timeval timeout{kCloseTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // one access line per input would drown the output
  start_server();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = connect_to_server();
  size_t sent = 0;
  while (sent < size) {
    auto n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;  // libFuzzer's alarm, not the server
    if (n <= 0) break;  // the server may answer and close before reading everything
    sent += size_t(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  std::array<char, 4096> buf;
  for (;;) {
    auto n = recv(fd, buf.data(), buf.size(), 0);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;  // libFuzzer's alarm, not the server
    if (n < 0) {
      if (errno != ECONNRESET) std::fprintf(stderr, "recv: %s\n", std::strerror(errno));
      check(errno == ECONNRESET, "the server closes a half-closed connection in time");
      break;
    }
    answer.append(buf.data(), size_t(n));
  }
  close(fd);
  if (!answer.empty()) check(answer.starts_with("HTTP/1."), "whatever the server sends is HTTP");
  return 0;
}
