#pragma once

#include "tests/support/loopback_relay.h"

#include <atomic>

namespace glance::testing {

// A TCP relay on an ephemeral loopback port in front of `upstream_port` that can be shut:
// while shut, each new connection is closed at once, as by a server that went away; while
// open, bytes pass both ways unchanged. Connections already relayed are left alone. Threads
// of its own; the destructor stops them.
class SwitchableRelay {
 public:
  explicit SwitchableRelay(int upstream_port);
  SwitchableRelay(const SwitchableRelay&) = delete;
  SwitchableRelay& operator=(const SwitchableRelay&) = delete;

  int port() const { return relay_.port(); }
  void set_open(bool open) { open_ = open; }

 private:
  void pump(int client, int server);

  std::atomic<bool> open_{true};
  LoopbackRelay relay_;  // last: its threads use open_
};

}  // namespace glance::testing
