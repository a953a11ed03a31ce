#include "common/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace glance::common {

LogConfig load_log_config(ConfigFile& file) {
  LogConfig c;
  c.debug = file.get_bool("DEFAULT", "debug", false);
  c.log_file = file.get_string("DEFAULT", "log_file", "");
  c.log_dir = file.get_string("DEFAULT", "log_dir", "");
  c.use_stderr = file.get_bool("DEFAULT", "use_stderr", true);
  file.accept("DEFAULT", "verbose");
  return c;
}

bool setup_logging(const LogConfig& config, const std::string& daemon_name) {
  std::vector<spdlog::sink_ptr> sinks;
  if (config.use_stderr || (config.log_file.empty() && config.log_dir.empty()))
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::string path = config.log_file;
  if (path.empty() && !config.log_dir.empty()) path = config.log_dir + "/" + daemon_name + ".log";
  if (!path.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(path));
    } catch (const spdlog::spdlog_ex& e) {
      spdlog::error("cannot open log file {}: {}", path, e.what());
      return false;
    }
  }
  auto logger = std::make_shared<spdlog::logger>(daemon_name, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %P %^%l%$ %n %v");
  logger->set_level(config.debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace glance::common
