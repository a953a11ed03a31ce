#pragma once

#include "api/api_config.h"
#include "api/cache/cache_config.h"
#include "api/cache/cache_directory.h"

#include <memory>
#include <string>

namespace glance::api {

// The start of the glance-cache-* commands: parses --config-file (without
// one, /etc/glance/glance-api.conf, whose image_cache_* options the api uses), sets up
// logging and opens the cache directory without recovering it (the api owns its fills).
// Prints why and exits 1 when the configuration is invalid or names no image_cache_dir.
struct CacheCommand {
  ApiConfig api;  // the prefetcher reaches the registry and the stores as the api does
  CacheConfig config;
  std::unique_ptr<CacheDirectory> cache;
};
CacheCommand start_cache_command(int argc, char** argv, const std::string& program);

}  // namespace glance::api
