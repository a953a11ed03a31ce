#pragma once

#include "api/registry_client.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <cstddef>

namespace glance::api {

class ImageCache;

// What glance-cache-prefetcher does: for each queued image the registry shows `caller` as
// active, reads its data from its store through a cache fill (verified as a download's), so
// that the next download is a hit; a cached image leaves the queue. Images that are missing,
// not active, or whose fill fails stay queued for the next run, and are logged. Returns how
// many images were cached. `registry`, `stores` and `cache` must outlive the call.
boost::asio::awaitable<size_t> prefetch_queued(RegistryClient& registry,
                                               const store::StoreRegistry& stores,
                                               ImageCache& cache, const Caller& caller);

}  // namespace glance::api
