#pragma once

#include <string>

namespace glance::testing {

// A private MariaDB for one test binary, started on first use through scripts/mariadb.sh in
// a temporary directory (own datadir, socket and loopback port) and shut down at exit.
// Each call to fresh_database() creates an empty database, so suites never share state.
class MariadbServer {
 public:
  static MariadbServer& instance();

  int port() const { return port_; }
  const std::string& socket_path() const { return socket_; }
  // Creates an empty database and returns its connection URL for the glance user.
  std::string fresh_database();
  // Runs SQL as root through the private socket (for fault injection and inspection).
  std::string sql(const std::string& statement, const std::string& database = "") const;
  // Restarts the server on the same port and datadir.
  void restart();
  // SIGKILLs the server, as a crash would, and starts it again on the same port and datadir
  // (InnoDB recovers what was committed).
  void crash_and_restart();
  void stop();
  void start();
  // SIGSTOPs the server (true) or lets it run again (false): connections stay open, nothing
  // answers, as with a hung host.
  void freeze(bool frozen);

 private:
  MariadbServer();
  ~MariadbServer();
  std::string dir_;
  std::string socket_;
  int port_ = 0;
  int databases_ = 0;
};

// Runs a shell command; returns its stdout. Throws with the output when it fails.
std::string run_command(const std::string& command);

// A new empty temporary directory, removed with everything in it when the process exits.
std::string make_temp_dir(const std::string& prefix);

}  // namespace glance::testing
