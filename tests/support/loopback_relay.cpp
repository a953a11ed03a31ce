#include "tests/support/loopback_relay.h"

#include "tests/support/raw_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace glance::testing {

LoopbackRelay::LoopbackRelay(int upstream_port, Relay relay, const std::string& what)
    : upstream_port_(upstream_port), relay_(std::move(relay)) {
  listener_ = listen_ephemeral("127.0.0.1", &port_);
  if (listener_ < 0) throw std::runtime_error(what + " cannot listen");
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackRelay::~LoopbackRelay() {
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

void LoopbackRelay::accept_loop() {
  while (!stopping_) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(client);
    threads_.emplace_back([this, client] { serve(client); });
  }
}

void LoopbackRelay::serve(int client) {
  int server = connect_loopback(upstream_port_);
  if (server >= 0) {
    {
      std::lock_guard lock(mutex_);
      open_fds_.push_back(server);
    }
    if (!stopping_) relay_(client, server);
  }
  std::lock_guard lock(mutex_);
  for (int fd : {client, server}) {
    if (fd < 0) continue;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
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

void reset_on_close(int fd) {
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

}  // namespace glance::testing
