#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/loopback_relay.h"

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
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  int port() const { return relay_.port(); }
  // How many requests were cut so far (0 or 1).
  int cuts() const { return cuts_.load(); }
  // How many requests the server answered so far whose request line starts with `prefix`
  // ("GET /v3/auth").
  int requests_starting(const std::string& prefix);

 private:
  void relay_messages(int client, int server);

  std::string pattern_;
  std::atomic<int> cuts_{0};
  std::mutex mutex_;
  std::vector<std::string> request_lines_;  // guarded by mutex_
  LoopbackRelay relay_;                     // last: its threads use the members above
};

}  // namespace glance::testing
