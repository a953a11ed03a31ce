// glance-cache-cleaner: removes image cache fills untouched for image_cache_stall_time. Run
// it from cron or its systemd timer beside glance-api (or set image_cache_clean_interval and
// let glance-api do it).

#include "api/cache/cache_command.h"
#include "api/cache/cache_maintenance.h"

#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  auto command = glance::api::start_cache_command(argc, argv, "glance-cache-cleaner");
  auto removed = glance::api::clean_cache(*command.cache, command.config.stall_time);
  if (!removed) {
    spdlog::error("cannot clean the image cache: {}", removed.error().message());
    return 1;
  }
  spdlog::info("removed {} stalled image cache fills", *removed);
  return 0;
}
