#pragma once

#include "api/registry_client.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>

namespace glance::common::auth {
class ServiceToken;
}

namespace glance::api {

class ImageCache;

// What glance-cache-prefetcher and glance-api's own prefetch job do: for each queued image
// the registry shows `caller` as active, reads its data from its store through a cache fill
// (verified as a download's), so that the next download is a hit; a cached image leaves the
// queue. Images that are missing, not active, or whose fill fails stay queued for the next
// run, and are logged. With `token` (the [keystone_authtoken] service user's), the registry
// calls carry its token, for a registry that validates tokens; when Keystone gives none, the
// run is logged and nothing is fetched. Returns how many images were cached. `registry`,
// `stores`, `cache` and `token` must outlive the call.
boost::asio::awaitable<size_t> prefetch_queued(RegistryClient& registry,
                                               const store::StoreRegistry& stores,
                                               ImageCache& cache, Caller caller,
                                               common::auth::ServiceToken* token = nullptr);

// The caller the prefetcher acts as: an admin (`admin_role`, the context's admin_role), so
// that it may read every tenant's queued images.
Caller prefetcher_caller(const std::string& admin_role);

}  // namespace glance::api
