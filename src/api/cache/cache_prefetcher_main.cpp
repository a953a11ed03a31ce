// glance-cache-prefetcher: fills the image cache with the images queued through PUT
// /v1/queued_images/{id} (glance-cache-manage queue-image). Run it from cron beside
// glance-api; it asks the registry as an admin, as the api's own services do.

#include "api/cache/cache_command.h"
#include "api/cache/cache_prefetcher.h"
#include "api/cache/image_cache.h"
#include "api/http_registry_client.h"
#include "common/daemon_io_context.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>

using namespace glance;

int main(int argc, char** argv) {
  auto command = api::start_cache_command(argc, argv, "glance-cache-prefetcher");
  common::DaemonIoContext ioc;
  store::BlockingPool pool(2);
  auto stores = store::StoreRegistry::from_config(command.api.stores, pool);
  if (!stores) {
    spdlog::critical("cannot set up the image stores: {}", stores.error().message());
    return 1;
  }
  api::HttpRegistryClient registry(command.api.registry,
                                   api::HttpRegistryClient::Resource::v1_images, nullptr);
  api::ImageCache cache(std::move(command.cache), pool);
  api::Caller caller;
  caller.context.is_admin = true;
  caller.context.roles = {command.api.context.admin_role};
  caller.request_id = "req-cache-prefetcher";
  size_t queued = cache.directory().queued().size();
  size_t cached = 0;
  bool failed = false;
  boost::asio::co_spawn(ioc, api::prefetch_queued(registry, **stores, cache, caller),
                        [&](std::exception_ptr e, size_t n) {
                          failed = e != nullptr;
                          cached = n;
                        });
  ioc.run();
  pool.join();
  ioc.destroy_pending_work();
  spdlog::info("prefetched {} of {} queued images", cached, queued);
  return failed || cached < queued ? 1 : 0;
}
