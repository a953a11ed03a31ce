// glance-cache-cleaner: removes image cache fills untouched for image_cache_stall_time. Run
// it from cron beside glance-api.

#include "api/cache/cache_command.h"
#include "api/cache/cache_maintenance.h"

#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  auto command = glance::api::start_cache_command(argc, argv, "glance-cache-cleaner");
  auto removed = glance::api::clean_cache(*command.cache, command.config.stall_time);
  spdlog::info("removed {} stalled image cache fills", removed);
  return 0;
}
