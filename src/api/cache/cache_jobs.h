#pragma once

#include "api/cache/cache_config.h"
#include "api/registry_client.h"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace glance::common::auth {
class ServiceToken;
}
namespace glance::store {
class StoreRegistry;
}

namespace glance::api {

class ImageCache;

// What the prefetch job reads queued images through: the registry, the stores, and who it
// is there (prefetcher_caller; with `token`, the [keystone_authtoken] service user's token
// too, for a registry that validates tokens).
struct CachePrefetchSource {
  RegistryClient& registry;
  const store::StoreRegistry& stores;
  Caller caller;
  common::auth::ServiceToken* token = nullptr;
};

// glance-api's own image cache maintenance, for deployments that do not run the
// glance-cache-* commands from cron or systemd timers: every image_cache_prune_interval it
// prunes the cache to image_cache_max_size (prune_cache), every image_cache_clean_interval it
// removes fills stalled for image_cache_stall_time (clean_cache), and every
// image_cache_prefetch_interval it fetches the queued images (prefetch_queued, as
// glance-cache-prefetcher does). A job whose interval is 0 never starts.
//
// Each job runs on a strand of its own, the first time one interval after start() and then
// one interval after its previous run ended, so that a run never overlaps the next; its disk
// and SQLite work goes to the cache's blocking pool. A run that fails is logged and the job
// tries again a period later. stop() ends the waits, so the jobs never hold the daemon up;
// a run under way at the exit is destroyed with the io_context's pending work (a fill it
// leaves under incomplete/ is removed at the next start). `cache` and what `prefetch` refers
// to must outlive the runs. Safe to stop() from any thread.
class CacheJobs {
 public:
  CacheJobs(ImageCache& cache, const CacheConfig& config, CachePrefetchSource prefetch);
  ~CacheJobs();
  CacheJobs(const CacheJobs&) = delete;
  CacheJobs& operator=(const CacheJobs&) = delete;

  void start(boost::asio::any_io_executor executor);
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace glance::api
