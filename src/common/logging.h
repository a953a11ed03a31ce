#pragma once

#include "common/config_file.h"

#include <string>

namespace glance::common {

// Glance's logging options (oslo.log names).
struct LogConfig {
  bool debug = false;
  std::string log_file;  // empty: no file
  std::string log_dir;   // with no log_file: <log_dir>/<daemon>.log
  bool use_stderr = true;
  bool use_syslog = false;
  // LOG_USER, LOG_DAEMON or LOG_LOCAL0..7, as oslo.log spells them.
  std::string syslog_log_facility = "LOG_USER";
};

LogConfig load_log_config(ConfigFile& file);

// Installs the daemon's logger as spdlog's default: stderr (when use_stderr, or when nothing
// else is configured), the log file, and syslog. Call once, from main, before other threads
// log. Returns false (after saying why on stderr) when the log file cannot be opened or the
// syslog facility is unknown.
bool setup_logging(const LogConfig& config, const std::string& daemon_name);

// Applies what may change while the daemon runs: the level (`debug`) takes effect at once,
// and the log file is closed and opened again by the same name, so that after logrotate
// moves it the daemon writes to a new file. Where the logs go (file name, stderr, syslog) is
// fixed at start-up. Safe to call from any thread while others log: the level is atomic and
// each file is reopened under the lock its writes take. When the file cannot be reopened the
// daemon keeps writing to the old one and logs an error.
void reload_logging(const LogConfig& config);

}  // namespace glance::common
