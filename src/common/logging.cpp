#include "common/logging.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

#include <syslog.h>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace glance::common {

namespace {

// An appending file sink that can be pointed at a fresh file of the same name. spdlog's
// basic_file_sink cannot reopen, and swapping the default logger instead would race with
// threads holding spdlog's raw default-logger pointer: reopening under the sink's own mutex
// needs no coordination with them.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path)
      : file_(std::make_unique<spdlog::details::file_helper>()) {
    file_->open(path, false);  // throws spdlog_ex, reported by setup_logging
  }

  // Opens the new file before closing the old one, so a failure loses no lines.
  bool reopen(std::string* error) {
    auto fresh = std::make_unique<spdlog::details::file_helper>();
    std::lock_guard lock(mutex_);
    try {
      fresh->open(file_->filename(), false);
    } catch (const spdlog::spdlog_ex& e) {
      *error = e.what();
      return false;
    }
    file_->flush();
    file_ = std::move(fresh);
    return true;
  }

  std::string path() {
    std::lock_guard lock(mutex_);
    return file_->filename();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_->write(formatted);
  }
  void flush_() override { file_->flush(); }

 private:
  std::unique_ptr<spdlog::details::file_helper> file_;
};

std::optional<int> syslog_facility(const std::string& name) {
  static const std::map<std::string, int> kFacilities = {
      {"LOG_USER", LOG_USER},     {"LOG_DAEMON", LOG_DAEMON}, {"LOG_LOCAL0", LOG_LOCAL0},
      {"LOG_LOCAL1", LOG_LOCAL1}, {"LOG_LOCAL2", LOG_LOCAL2}, {"LOG_LOCAL3", LOG_LOCAL3},
      {"LOG_LOCAL4", LOG_LOCAL4}, {"LOG_LOCAL5", LOG_LOCAL5}, {"LOG_LOCAL6", LOG_LOCAL6},
      {"LOG_LOCAL7", LOG_LOCAL7}};
  auto it = kFacilities.find(name);
  if (it == kFacilities.end()) return std::nullopt;
  return it->second;
}

spdlog::level::level_enum level_of(const LogConfig& config) {
  return config.debug ? spdlog::level::debug : spdlog::level::info;
}

}  // namespace

LogConfig load_log_config(ConfigFile& file) {
  LogConfig c;
  c.debug = file.get_bool("DEFAULT", "debug", false);
  c.log_file = file.get_string("DEFAULT", "log_file", "");
  c.log_dir = file.get_string("DEFAULT", "log_dir", "");
  c.use_stderr = file.get_bool("DEFAULT", "use_stderr", true);
  c.use_syslog = file.get_bool("DEFAULT", "use_syslog", false);
  c.syslog_log_facility = file.get_string("DEFAULT", "syslog_log_facility", "LOG_USER");
  file.accept("DEFAULT", "verbose");
  return c;
}

bool setup_logging(const LogConfig& config, const std::string& daemon_name) {
  std::vector<spdlog::sink_ptr> sinks;
  if (config.use_stderr ||
      (config.log_file.empty() && config.log_dir.empty() && !config.use_syslog))
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::string path = config.log_file;
  if (path.empty() && !config.log_dir.empty()) path = config.log_dir + "/" + daemon_name + ".log";
  if (!path.empty()) {
    try {
      sinks.push_back(std::make_shared<ReopenableFileSink>(path));
    } catch (const spdlog::spdlog_ex& e) {
      std::cerr << daemon_name << ": cannot open log file " << path << ": " << e.what() << "\n";
      return false;
    }
  }
  if (config.use_syslog) {
    auto facility = syslog_facility(config.syslog_log_facility);
    if (!facility) {
      std::cerr << daemon_name << ": invalid configuration: DEFAULT.syslog_log_facility: '"
                << config.syslog_log_facility << "' is not LOG_USER, LOG_DAEMON or LOG_LOCAL0..7\n";
      return false;
    }
    sinks.push_back(
        std::make_shared<spdlog::sinks::syslog_sink_mt>(daemon_name, LOG_PID, *facility, true));
  }
  auto logger = std::make_shared<spdlog::logger>(daemon_name, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %P %^%l%$ %n %v");
  // syslog adds its own time stamp, name and pid: keep only level and message.
  for (auto& sink : logger->sinks())
    if (dynamic_cast<spdlog::sinks::syslog_sink_mt*>(sink.get())) sink->set_pattern("%l %v");
  logger->set_level(level_of(config));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return true;
}

void reload_logging(const LogConfig& config) {
  auto logger = spdlog::default_logger();
  logger->set_level(level_of(config));
  for (auto& sink : logger->sinks()) {
    auto* file = dynamic_cast<ReopenableFileSink*>(sink.get());
    if (file == nullptr) continue;
    std::string error;
    if (!file->reopen(&error))
      logger->error("cannot reopen log file {}: {}; still writing to the old file", file->path(),
                    error);
  }
  logger->info("logging reloaded: level {}", spdlog::level::to_string_view(logger->level()));
}

}  // namespace glance::common
