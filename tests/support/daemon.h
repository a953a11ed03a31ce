#pragma once

#include <sys/types.h>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace glance::testing {

// A real daemon process (glance-registry or glance-api) started with its own config file,
// bind_port = 0. start() waits for the "listening on HOST:PORT" log line and records the
// address and port, so tests never guess a free port. The destructor stops it with SIGTERM.
class Daemon {
 public:
  Daemon(std::string binary, std::string config_text);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Throws with the daemon's output when it exits or does not listen within 30 s.
  void start();
  // SIGTERM and wait; returns the exit status.
  int stop();
  // Sends a signal to the running daemon.
  void signal(int signo) const;
  // Waits up to `timeout` for the daemon to exit; returns its exit status, or -1 when it
  // still runs.
  int wait_exit(std::chrono::milliseconds timeout);
  // Config files read before the daemon's own one (which thus overrides them), as an
  // operator layers --config-file options. Call before start().
  void layer_under(std::string config_file) { base_configs_.push_back(std::move(config_file)); }
  // Sets an environment variable for the daemon only (e.g. NOTIFY_SOCKET). Before start().
  void set_env(std::string name, std::string value) {
    env_.emplace_back(std::move(name), std::move(value));
  }
  // Before start(): start() sends `signo` the moment the listening line appears, polling
  // without pause, as an operator's reload may come right after the daemon said it listens.
  void signal_once_listening(int signo) { signal_once_listening_ = signo; }
  bool running() const { return pid_ > 0; }
  // The process id while running (for /proc inspection), -1 otherwise.
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // The address it listens on (its bind_host; 127.0.0.1 in most tests).
  const std::string& host() const { return host_; }
  // The port of the daemon's own metrics listener (metrics_bind_port), read from its
  // "serving /metrics on HOST:PORT" line, which comes before "listening on"; 0 when it has none.
  int metrics_port() const;
  std::string base_url() const { return "http://" + host_ + ":" + std::to_string(port_); }
  // Everything the daemon logged so far.
  std::string log() const;
  const std::string& config_path() const { return config_path_; }

  // Runs the binary to completion with the given arguments; returns {exit code, output}.
  static std::pair<int, std::string> run(const std::string& binary, const std::string& args);

 private:
  std::string binary_;
  std::string dir_;
  std::string config_path_;
  std::string log_path_;
  std::vector<std::string> base_configs_;
  std::vector<std::pair<std::string, std::string>> env_;
  pid_t pid_ = -1;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  int signal_once_listening_ = 0;
};

// Paths of the binaries under test (set by CMake).
std::string registry_binary();
std::string api_binary();
std::string manage_binary();
std::string scrubber_binary();

}  // namespace glance::testing
