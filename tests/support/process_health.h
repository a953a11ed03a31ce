#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>

namespace glance::testing {

class Daemon;

// What a running process holds that a hostile client could make it leak: open descriptors
// (/proc/PID/fd), threads and resident memory (/proc/PID/status).
struct ProcessHealth {
  size_t open_fds = 0;
  size_t threads = 0;
  size_t rss_bytes = 0;

  // Reads the process's current figures. Throws std::runtime_error when /proc has no such
  // (live) process. Take a baseline after the daemon has served one request of each kind the
  // test will send, since some pools start lazily.
  static ProcessHealth snapshot(pid_t pid);
};
std::ostream& operator<<(std::ostream& out, const ProcessHealth& health);

// How many connections accepted on its listening `port` the process holds open: its
// descriptors that are TCP sockets with that local port, the listening socket left out. A
// test that must know its connections reached the daemon waits on this rather than on the
// descriptor count, which a connection of an earlier request still closing also moves.
size_t accepted_connections(pid_t pid, int port);

// How far above its baseline a recovered daemon may stay, and how long it gets to get there.
struct RecoveryLimits {
  // Listening sockets, log files and pooled MySQL or store connections may come and go.
  size_t extra_fds = 2;
  size_t extra_threads = 0;
  // The allocator keeps some freed memory; a leak per connection soon exceeds this. Under
  // AddressSanitizer, whose quarantine holds freed memory back on purpose, the test command
  // sets GLANCE_TEST_EXTRA_RSS_MB to a larger allowance.
  size_t extra_rss_bytes = default_extra_rss_bytes();
  static size_t default_extra_rss_bytes();
  std::chrono::milliseconds settle = std::chrono::seconds(15);
};

// A request the daemon must answer correctly; true when it did. Must not throw.
using HealthProbe = std::function<bool(const Daemon&)>;

// GET /healthcheck answers 200 (both daemons serve it).
bool answers_healthcheck(const Daemon& daemon);

// Records a gtest failure for each way `daemon` has not recovered from what the test did
// since `baseline` was taken: it exited (its status and log are reported), `probe` fails, or
// its descriptors, threads or memory stay above the baseline plus `limits` once `limits.settle`
// has passed. Returns at once when all hold.
void expect_recovered(Daemon& daemon, const ProcessHealth& baseline,
                      const HealthProbe& probe = answers_healthcheck, RecoveryLimits limits = {});

}  // namespace glance::testing
