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
};

LogConfig load_log_config(ConfigFile& file);

// Installs the daemon's logger as spdlog's default. Returns false (and logs to stderr) when
// the log file cannot be opened.
bool setup_logging(const LogConfig& config, const std::string& daemon_name);

}  // namespace glance::common
