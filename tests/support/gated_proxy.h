#pragma once

#include "tests/support/loopback_relay.h"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace glance::testing {

// A TCP proxy on an ephemeral loopback port in front of an HTTP/1.1 server that answers with
// Content-Length (Swift's proxy), relaying requests and responses one by one. Once armed
// with hold(), the next response to a request containing `pattern` is sent up to `bytes`
// bytes of its body, then held until the test lets it go on (release()) or cuts it, resetting
// the client's connection (cut()): a store that is slow, or dies, in the middle of an object.
// Counts the requests it relayed. Threads of its own; the destructor stops them (a held
// response is cut).
class GatedProxy {
 public:
  explicit GatedProxy(int upstream_port);
  ~GatedProxy();
  GatedProxy(const GatedProxy&) = delete;
  GatedProxy& operator=(const GatedProxy&) = delete;

  int port() const { return relay_.port(); }
  void hold(std::string pattern, size_t bytes);
  // True once a response is held, waiting up to 30 s.
  bool wait_held();
  void release();
  void cut();
  // How many requests the server answered so far whose request line starts with `prefix`.
  int requests_starting(const std::string& prefix);

 private:
  enum class Gate { idle, armed, holding, open, cut };
  void relay_messages(int client, int server);
  // Sends the held rest of a response once the gate opens; false when it was cut.
  bool pass_gate();

  std::mutex mutex_;
  std::condition_variable changed_;
  Gate gate_ = Gate::idle;                  // guarded by mutex_
  std::string pattern_;                     // guarded by mutex_
  size_t hold_after_ = 0;                   // guarded by mutex_
  std::vector<std::string> request_lines_;  // guarded by mutex_
  LoopbackRelay relay_;                     // last: its threads use the members above
};

}  // namespace glance::testing
