#pragma once

#include "tests/support/haproxy_config.h"
#include "tests/support/haproxy_stats.h"

#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace glance::testing {

// A private HAProxy (Debian's haproxy, run in the foreground, never its service) in front of
// daemons on loopback, with the configuration of haproxy_config.h written by the test.
// Frontends listen on sockets this object binds at a port the kernel picks, so their ports are
// known, and can go into the daemons' configuration, before HAProxy or the servers run. The
// destructor stops HAProxy (SIGTERM) and closes the sockets; HAProxy also gets SIGTERM if the
// test process dies. Not thread-safe, but stats() and wait_for_status() may be called from
// several threads once started.
class Haproxy {
 public:
  Haproxy();
  ~Haproxy();
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  // Binds a listening socket for frontend `name` and returns its port. Before start().
  int add_frontend(const std::string& name);
  // The daemons `name` balances over. Before start().
  void set_servers(const std::string& name, std::vector<HaproxyServer> servers);

  // Writes the configuration, starts HAProxy, and waits until its statistics answer. Throws
  // with HAProxy's output when it exits or does not answer within 30 s.
  void start();
  void stop();

  int port(const std::string& frontend) const;
  pid_t pid() const { return pid_; }
  std::string log() const;
  const std::string& config_text() const { return config_text_; }

  // The server lines of HAProxy's statistics; throws std::runtime_error when they cannot be
  // read.
  std::vector<HaproxyServerStats> stats() const;
  // The statistics of server `index` (0-based) of frontend `frontend`.
  HaproxyServerStats server(const std::string& frontend, size_t index) const;
  // Waits until that server's status is `status` exactly ("UP" or "DOWN": not one of the
  // transitional "UP 1/2"); false when `timeout` passed first.
  bool wait_for_status(const std::string& frontend, size_t index, const std::string& status,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  const HaproxyFrontend& frontend(const std::string& name) const;

  std::string dir_;
  std::vector<HaproxyFrontend> frontends_;
  int stats_fd_ = -1;
  int stats_port_ = 0;
  std::string config_text_;
  pid_t pid_ = -1;
};

}  // namespace glance::testing
