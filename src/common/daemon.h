#pragma once

#include "common/auth/keystone_auth_options.h"
#include "common/config_file.h"
#include "common/context_policy.h"
#include "common/error.h"
#include "common/http/server_config.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace glance::common {

// What every binary takes on its command line, as Glance's do.
struct CommandLine {
  std::vector<std::string> config_files;  // --config-file, repeatable, later ones win
  std::vector<std::string> args;          // positional words (glance-manage's commands)
  bool list_options = false;              // --list-options: see check_config_or_exit()
};

// Parses --config-file, --list-options, --version and --help. --version and --help print and
// exit(0); bad usage prints and exits 2. Without --config-file, /etc/glance/<program>.conf is used
// when it exists.
CommandLine parse_command_line(int argc, char** argv, const std::string& program,
                               bool takes_positional);

// Loads the files, or prints why not and exits 1.
ConfigFile load_config_or_exit(const CommandLine& cmd, const std::string& program);
// After every option was read: warns once about unknown options and exits 1 with every
// conversion error, naming the option. With `list_options` (the command line's
// --list-options) it prints instead every option read, one per line with its section, name,
// type, default, minimum, maximum and description separated by tabs (the configuration
// reference, docs/configuration.md, is made from these lines), and exits 0.
void check_config_or_exit(const ConfigFile& file, bool list_options = false);

http::ServerConfig load_server_config(ConfigFile& file, uint16_t default_port);
// Makes the process fit to serve clients: a write to a vanished peer fails instead of
// killing the process (SIGPIPE ignored), and the open-file limit is raised to its hard
// limit. A SIGHUP received from here on is kept for run_until_signalled()
// rather than killing the process. Call once, early in main, before
// any thread starts.
void prepare_server_process();
ContextPolicy load_context_policy(ConfigFile& file);
// [keystone_authtoken] when the policy validates tokens (flavor keystone), else nothing; the
// section's options are then accepted without a warning, as upstream configs often carry it.
std::optional<auth::KeystoneAuthOptions> load_keystone_auth(ConfigFile& file,
                                                            const ContextPolicy& policy);

// Re-reads the command line's config files and applies the options that may change at run
// time (reload_logging: `debug`, and the log file is reopened). A file that no longer loads
// or a bad value is logged and the running settings are kept. For SIGHUP.
void reload_from_config_files(const CommandLine& cmd);

// What a daemon does at each stage of its life under run_until_signalled().
struct DaemonHooks {
  std::function<void()> stop_accepting;  // SIGTERM/SIGINT: stop taking new connections
  std::function<bool()> drained;         // nothing left in flight
  // The grace period is over: cut what is still in flight, so that each request runs its
  // own failure path (an upload ends killed, its partial data removed) before the exit.
  std::function<void()> cut_connections;
  std::function<void()> reload;  // SIGHUP
};

// Runs the io_context on `threads` threads until SIGINT or SIGTERM, then tells the service
// manager STOPPING=1, stops accepting and keeps running until drained, at most `grace`
// (0: no limit). Past it, connections are cut and the failure paths get a few more seconds
// before the process exits. A second SIGINT/SIGTERM stops at once. SIGHUP sends
// RELOADING=1, calls reload, then READY=1. Call once the daemon listens and said READY=1.
void run_until_signalled(boost::asio::io_context& ioc, int threads, std::chrono::seconds grace,
                         const DaemonHooks& hooks);

}  // namespace glance::common
