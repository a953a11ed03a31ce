#pragma once

#include "api/api_config.h"
#include "common/config_file.h"
#include "common/error.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace glance::api::scrubber {

// glance-scrubber's command line, as upstream's: --config-file (repeatable, later files win),
// --daemon/-D or --nodaemon, --restore IMAGE_ID, --help, --version.
struct CommandLine {
  std::vector<std::string> config_files;
  bool daemon = false;
  std::optional<std::string> restore;  // the image to bring back from pending_delete
  bool help = false;
  bool version = false;
  bool list_options = false;  // print the options read and exit (common::check_config_or_exit)
};

// Parses the arguments after the program name; bad_request with a usage message for an
// unknown option, a missing value, or --restore together with --daemon.
common::Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

inline constexpr const char* kUsage =
    "usage: glance-scrubber [--config-file PATH]... [--daemon | --nodaemon] [--restore ID]\n"
    "  --config-file PATH  a config file; repeat to layer files (e.g. glance-api.conf,\n"
    "                      then glance-scrubber.conf), later ones win\n"
    "  -D, --daemon        run a pass every wakeup_time seconds until stopped\n"
    "  --nodaemon          run one pass and exit (the default)\n"
    "  --restore ID        bring the pending_delete image ID back to active and exit\n"
    "  --list-options      print the options read (tab-separated) and exit\n"
    "  --help, --version\n";

struct ScrubberConfig {
  // The registry link, its credentials, the stores and logging, read as glance-api reads
  // them: the same files serve both.
  ApiConfig api;
  // wakeup_time: seconds between passes with --daemon (upstream's default).
  std::chrono::seconds wakeup_time{300};
  // scrub_time: seconds an image stays pending_delete before its data is deleted; 0 (the
  // default) scrubs at the first pass.
  std::chrono::seconds scrub_time{0};
  // scrub_pool_size: images scrubbed at once (upstream's default, one at a time).
  int scrub_pool_size = 1;
  // The claim a scrubber holds on an image while deleting its data. Another scrubber takes
  // an older claim for that of a dead process; an hour outlasts any single delete.
  std::chrono::seconds claim_lease{3600};
};

// Reads [DEFAULT] wakeup_time, scrub_time, scrub_pool_size and scrubber_claim_lease besides
// what load_api_config reads; conversion errors are recorded in `file`.
ScrubberConfig load_scrubber_config(common::ConfigFile& file);

}  // namespace glance::api::scrubber
