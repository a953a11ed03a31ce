// glance-cache-pruner: shrinks the image cache to image_cache_max_size, least recently used
// copies first. Run it from cron or its systemd timer beside glance-api (or set
// image_cache_prune_interval and let glance-api do it).

#include "api/cache/cache_command.h"
#include "api/cache/cache_maintenance.h"

#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  auto command = glance::api::start_cache_command(argc, argv, "glance-cache-pruner");
  auto pruned = glance::api::prune_cache(*command.cache, command.config.max_size);
  if (!pruned) {
    spdlog::error("cannot prune the image cache: {}", pruned.error().message());
    return 1;
  }
  spdlog::info("pruned {} images ({} bytes) from the image cache", pruned->images, pruned->bytes);
  return 0;
}
