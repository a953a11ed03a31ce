#include "tests/support/scrubber_runner.h"

#include "tests/support/daemon.h"
#include "tests/support/mariadb_server.h"

#include <fstream>

namespace glance::testing {

ScrubberRun run_scrubber(const std::string& api_config_path, const std::string& scrubber_conf,
                         const std::string& args) {
  std::string path = make_temp_dir("glance-scrubber") + "/glance-scrubber.conf";
  std::ofstream(path) << scrubber_conf;
  auto [status, output] = Daemon::run(scrubber_binary(), "--config-file " + api_config_path +
                                                             " --config-file " + path + " " + args);
  return {status, output};
}

}  // namespace glance::testing
