#include "tests/support/cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace glance::testing {

namespace {

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One whole message (head and Content-Length body) from `fd`, keeping any excess in `pending`;
// nullopt when the peer closes first.
std::optional<std::string> read_message(int fd, std::string& pending, bool head_only_body) {
  char buf[16384];
  size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending.append(buf, static_cast<size_t>(n));
  }
  head_end += 4;
  size_t body = 0;
  std::string head = lower(pending.substr(0, head_end));
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos && !head_only_body)
    body = std::stoul(head.substr(at + 17));
  while (pending.size() < head_end + body) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending.append(buf, static_cast<size_t>(n));
  }
  std::string message = pending.substr(0, head_end + body);
  pending.erase(0, head_end + body);
  return message;
}

}  // namespace

CuttingProxy::CuttingProxy(int upstream_port, std::string pattern)
    : upstream_port_(upstream_port), pattern_(std::move(pattern)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0)
    throw std::runtime_error("cutting proxy cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

CuttingProxy::~CuttingProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  ::close(listener_);
}

void CuttingProxy::accept_loop() {
  while (!stopping_) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(client);
    threads_.emplace_back([this, client] { relay(client); });
  }
}

int CuttingProxy::requests_starting(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(
      std::count_if(request_lines_.begin(), request_lines_.end(),
                    [&](const std::string& l) { return l.starts_with(prefix); }));
}

void CuttingProxy::relay(int client) {
  int server = connect_loopback(upstream_port_);
  if (server >= 0) {
    std::lock_guard lock(mutex_);
    open_fds_.push_back(server);
  }
  std::string from_client, from_server;
  while (server >= 0 && !stopping_) {
    auto request = read_message(client, from_client, false);
    if (!request || !send_all(server, *request)) break;
    const bool head = request->starts_with("HEAD ");
    auto response = read_message(server, from_server, head);
    if (!response) break;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(request->substr(0, request->find("\r\n")));
    }
    if (request->find(pattern_) != std::string::npos && cuts_.load() == 0) {
      ++cuts_;
      // RST rather than FIN: the client sees its connection reset.
      linger hard{1, 0};
      ::setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      break;
    }
    if (!send_all(client, *response)) break;
  }
  std::lock_guard lock(mutex_);
  for (int fd : {client, server}) {
    if (fd < 0) continue;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
}

}  // namespace glance::testing
