#pragma once

#include <string>

namespace glance::testing {

struct ScrubberRun {
  int status = -1;     // exit code
  std::string output;  // stdout and stderr
};

// Runs glance-scrubber to completion as an operator would: `--config-file API_CONF
// --config-file <a fresh file holding scrubber_conf>` then `args`. The api's file gives the
// registry link and the stores; `scrubber_conf` (INI text, e.g. "[DEFAULT]\nscrub_time = 0\n")
// layers over it.
ScrubberRun run_scrubber(const std::string& api_config_path, const std::string& scrubber_conf,
                         const std::string& args = "");

}  // namespace glance::testing
