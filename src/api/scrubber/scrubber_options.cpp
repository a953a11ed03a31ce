#include "api/scrubber/scrubber_options.h"

namespace glance::api::scrubber {

using common::Error;
using common::Result;

namespace {
// "--name=value" gives value; "--name" takes the next argument.
Result<std::string> option_value(const std::vector<std::string>& args, size_t& i,
                                 const std::string& name) {
  const std::string& arg = args[i];
  if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
  if (i + 1 >= args.size() || args[i + 1].empty())
    return Error::bad_request(name + " needs a value\n" + kUsage);
  return args[++i];
}

bool names(const std::string& arg, const std::string& name) {
  return arg == name || (arg.rfind(name + "=", 0) == 0);
}
}  // namespace

Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
  CommandLine cmd;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      cmd.help = true;
    } else if (arg == "--version") {
      cmd.version = true;
    } else if (arg == "--list-options") {
      cmd.list_options = true;
    } else if (arg == "--daemon" || arg == "-D") {
      cmd.daemon = true;
    } else if (arg == "--nodaemon") {
      cmd.daemon = false;
    } else if (names(arg, "--config-file")) {
      auto v = option_value(args, i, "--config-file");
      if (!v) return v.error();
      cmd.config_files.push_back(*v);
    } else if (names(arg, "--restore")) {
      auto v = option_value(args, i, "--restore");
      if (!v) return v.error();
      cmd.restore = *v;
    } else {
      return Error::bad_request("unrecognized argument: " + arg + "\n" + kUsage);
    }
  }
  if (cmd.restore && cmd.daemon)
    return Error::bad_request(
        "The restore and daemon options should not be set together. Please use either of "
        "them in one request.");
  return cmd;
}

ScrubberConfig load_scrubber_config(common::ConfigFile& file) {
  ScrubberConfig c;
  c.api = load_api_config(file);
  c.wakeup_time = std::chrono::seconds(file.get_int("DEFAULT", "wakeup_time", 300, 1, 86400 * 7));
  c.scrub_time = std::chrono::seconds(file.get_int("DEFAULT", "scrub_time", 0, 0, INT32_MAX));
  c.scrub_pool_size = static_cast<int>(file.get_int("DEFAULT", "scrub_pool_size", 1, 1, 1024));
  c.claim_lease =
      std::chrono::seconds(file.get_int("DEFAULT", "scrubber_claim_lease", 3600, 1, 86400));
  // Upstream's scrubber options that have no meaning here: the file queue's directory and
  // the clean-up host of early releases.
  for (const char* key : {"scrubber_datadir", "cleanup_scrubber", "cleanup_scrubber_time"})
    file.accept("DEFAULT", key);
  return c;
}

}  // namespace glance::api::scrubber
