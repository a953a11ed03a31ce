#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {

// A real TCP proxy on an ephemeral loopback port in front of an HTTP/1.1 server that answers
// with Content-Length (glance-registry). It relays requests and responses one by one, keep-alive
// included. The first request whose bytes (head and body) contain `pattern` is forwarded and
// its response read from the server, so the server has acted on it; then the client's
// connection is cut without a byte of that response: an outcome the client cannot know.
// Later matching requests pass. Threads of its own; the destructor stops them.
class CuttingProxy {
 public:
  CuttingProxy(int upstream_port, std::string pattern);
  ~CuttingProxy();
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  int port() const { return port_; }
  // How many requests were cut so far (0 or 1).
  int cuts() const { return cuts_.load(); }
  // How many requests the server answered so far whose request line starts with `prefix`
  // ("GET /v3/auth").
  int requests_starting(const std::string& prefix);

 private:
  void accept_loop();
  void relay(int client);

  int upstream_port_;
  std::string pattern_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> cuts_{0};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::string> request_lines_;  // guarded by mutex_
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace glance::testing
