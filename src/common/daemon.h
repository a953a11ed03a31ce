#pragma once

#include "common/config_file.h"
#include "common/context_policy.h"
#include "common/error.h"
#include "common/http/server_config.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace glance::common {

// What every binary takes on its command line, as Glance's do.
struct CommandLine {
  std::vector<std::string> config_files;  // --config-file, repeatable, later ones win
  std::vector<std::string> args;          // positional words (glance-manage's commands)
};

// Parses --config-file, --version and --help. --version and --help print and exit(0); bad
// usage prints and exits 2. Without --config-file, /etc/glance/<program>.conf is used when
// it exists.
CommandLine parse_command_line(int argc, char** argv, const std::string& program,
                               bool takes_positional);

// Loads the files, or prints why not and exits 1.
ConfigFile load_config_or_exit(const CommandLine& cmd, const std::string& program);
// After every option was read: warns once about unknown options and exits 1 with every
// conversion error, naming the option.
void check_config_or_exit(const ConfigFile& file);

http::ServerConfig load_server_config(ConfigFile& file, uint16_t default_port);
ContextPolicy load_context_policy(ConfigFile& file);

// Re-reads the command line's config files and applies the options that may change at run
// time (reload_logging: `debug`, and the log file is reopened). A file that no longer loads
// or a bad value is logged and the running settings are kept. For SIGHUP.
void reload_from_config_files(const CommandLine& cmd);

// Runs the io_context on `threads` threads until SIGINT or SIGTERM, then tells the service
// manager STOPPING=1, calls on_stop (stop accepting) and keeps running until drained() is
// true or the grace period (0: none) ends. A second SIGINT or SIGTERM ends the drain at once.
// SIGHUP calls on_reload between RELOADING=1 and READY=1 (see systemd_notify.h) and keeps serving.
// Call after the daemon listens and told the service manager READY=1.
void run_until_signalled(boost::asio::io_context& ioc, int threads, std::function<void()> on_stop,
                         std::function<bool()> drained, std::chrono::seconds grace,
                         std::function<void()> on_reload);

}  // namespace glance::common
