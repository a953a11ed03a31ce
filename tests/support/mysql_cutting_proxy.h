#pragma once

#include <atomic>
#include <string>

#include "tests/support/loopback_relay.h"

namespace glance::testing {

// A real TCP proxy on an ephemeral loopback port in front of a MySQL server. It relays bytes
// both ways and follows the client's packet framing (3-byte length, sequence number), so it
// can recognise a COMMIT sent as a plain query. Once armed, the first COMMIT it meets ends its
// connection, in one of two ways:
// - after_commit: the COMMIT is forwarded and the server's answer awaited, so the transaction
//   is durable; then the client's side is reset without a byte of that answer. The client
//   cannot tell a commit from a rollback.
// - before_commit: the COMMIT is dropped and both sides closed, so the server rolls the
//   transaction back; the client sees the same reset.
// Later COMMITs pass until it is armed again. Threads of its own; the destructor stops them.
class MysqlCuttingProxy {
 public:
  enum class Cut { after_commit, before_commit };

  explicit MysqlCuttingProxy(int upstream_port);
  MysqlCuttingProxy(const MysqlCuttingProxy&) = delete;
  MysqlCuttingProxy& operator=(const MysqlCuttingProxy&) = delete;

  int port() const { return relay_.port(); }
  // The next COMMIT on any connection is cut as `how`.
  void arm(Cut how);
  // How many COMMITs were cut so far.
  int cuts() const { return cuts_.load(); }
  // How many COMMITs passed unharmed so far.
  int commits_passed() const { return passed_.load(); }

 private:
  void relay_packets(int client, int server);
  // True when the packet should end the connection (and was handled accordingly).
  bool cut_here(const std::string& packet, int client, int server);

  std::atomic<int> armed_{-1};  // a Cut, or -1
  std::atomic<int> cuts_{0};
  std::atomic<int> passed_{0};
  LoopbackRelay relay_;  // last: its threads use the members above
};

}  // namespace glance::testing
