#include "api/cache/cache_command.h"

#include "common/daemon.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace glance::api {

CacheCommand start_cache_command(int argc, char** argv, const std::string& program) {
  auto cmd = common::parse_command_line(argc, argv, program, false);
  if (cmd.config_files.empty() && std::filesystem::exists("/etc/glance/glance-api.conf"))
    cmd.config_files.push_back("/etc/glance/glance-api.conf");
  auto file = common::load_config_or_exit(cmd, program);
  auto config = load_api_config(file);
  if (!common::setup_logging(config.log, program)) std::exit(1);
  common::check_config_or_exit(file, cmd.list_options);
  if (config.cache.dir.empty()) {
    std::cerr << program << ": image_cache_dir is not set\n";
    std::exit(1);
  }
  auto cache = CacheDirectory::open(config.cache, false);
  if (!cache) {
    std::cerr << program << ": " << cache.error().message() << "\n";
    std::exit(1);
  }
  auto cache_config = config.cache;
  return {std::move(config), std::move(cache_config), std::move(*cache)};
}

}  // namespace glance::api
