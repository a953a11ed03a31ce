#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {

// The frame of a TCP proxy on an ephemeral loopback port: for each client it accepts, it
// connects to `upstream_port` on loopback and runs `relay(client, server)` on a thread of its
// own, then closes both sockets. A client whose server cannot be reached is closed at once.
// The destructor shuts every open socket down, so that each relay returns, and joins them.
class LoopbackRelay {
 public:
  // Runs until either side closes, the relay decides to end the connection, or stopping().
  using Relay = std::function<void(int client, int server)>;

  // `what` names the proxy in the exception thrown when it cannot listen.
  LoopbackRelay(int upstream_port, Relay relay, const std::string& what);
  ~LoopbackRelay();
  LoopbackRelay(const LoopbackRelay&) = delete;
  LoopbackRelay& operator=(const LoopbackRelay&) = delete;

  int port() const { return port_; }
  bool stopping() const { return stopping_.load(); }

 private:
  void accept_loop();
  void serve(int client);

  int upstream_port_;
  Relay relay_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// Sends all of `data`; false once the peer closed or reset the connection.
bool send_all(int fd, const char* data, size_t size);
inline bool send_all(int fd, const std::string& bytes) {
  return send_all(fd, bytes.data(), bytes.size());
}

// Makes the coming close of `fd` a reset (RST rather than FIN): its peer sees the connection
// reset, as when a server dies.
void reset_on_close(int fd);

}  // namespace glance::testing
