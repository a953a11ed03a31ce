#include "tests/support/mysql_cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

bool send_all(int fd, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::send(fd, data + done, size - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The length of the first whole packet in `bytes` (header included), or 0.
size_t whole_packet(const std::string& bytes) {
  if (bytes.size() < 4) return 0;
  auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  size_t length = 4 + (b(0) | b(1) << 8 | b(2) << 16);
  return bytes.size() >= length ? length : 0;
}

// COM_QUERY whose text is COMMIT, as libmysqlclient sends it for a plain "COMMIT".
bool is_commit(const std::string& packet) {
  constexpr char kComQuery = 0x03;
  if (packet.size() != 4 + 7 || packet[4] != kComQuery) return false;
  std::string text = packet.substr(5);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text == "commit";
}

// Waits for one whole packet from `fd` (the server's answer); false when it closes first.
bool await_answer(int fd) {
  std::string got;
  char buf[4096];
  while (whole_packet(got) == 0) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    got.append(buf, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

MysqlCuttingProxy::MysqlCuttingProxy(int upstream_port) : upstream_port_(upstream_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0)
    throw std::runtime_error("mysql cutting proxy cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

MysqlCuttingProxy::~MysqlCuttingProxy() {
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

void MysqlCuttingProxy::arm(Cut how) {
  armed_ = static_cast<int>(how);
}

void MysqlCuttingProxy::accept_loop() {
  while (!stopping_) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(client);
    threads_.emplace_back([this, client] { relay(client); });
  }
}

bool MysqlCuttingProxy::cut_here(const std::string& packet, int client, int server) {
  if (!is_commit(packet)) return false;
  int how = armed_.exchange(-1);
  if (how < 0) {
    ++passed_;
    return false;
  }
  if (how == static_cast<int>(Cut::after_commit)) {
    // Only once the server has answered is the transaction known to be durable.
    if (!send_all(server, packet.data(), packet.size()) || !await_answer(server)) return true;
  }
  ++cuts_;
  // RST rather than FIN: the client sees its connection reset, as when a server dies.
  linger hard{1, 0};
  ::setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  return true;
}

void MysqlCuttingProxy::relay(int client) {
  int server = connect_loopback(upstream_port_);
  if (server >= 0) {
    std::lock_guard lock(mutex_);
    open_fds_.push_back(server);
  }
  std::string from_client;
  char buf[16384];
  bool open = server >= 0;
  while (open && !stopping_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 200) < 0) break;
    if (fds[1].revents) {
      ssize_t n = ::recv(server, buf, sizeof buf, 0);
      if (n <= 0 || !send_all(client, buf, static_cast<size_t>(n))) break;
    }
    if (fds[0].revents) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      from_client.append(buf, static_cast<size_t>(n));
      while (size_t length = whole_packet(from_client)) {
        std::string packet = from_client.substr(0, length);
        from_client.erase(0, length);
        if (cut_here(packet, client, server) || !send_all(server, packet.data(), packet.size())) {
          open = false;
          break;
        }
      }
    }
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
