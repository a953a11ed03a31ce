// glance-cache-prefetcher: fills the image cache with the images queued through PUT
// /v1/queued_images/{id} (glance-cache-manage queue-image). Run it from cron or its systemd
// timer beside glance-api (or set image_cache_prefetch_interval and let glance-api do it).
// It asks the registry as an admin, as the api's own services do: with flavor keystone, as
// the [keystone_authtoken] service user, and with use_user_token = False and admin
// credentials, with the registry link's own token.

#include "api/cache/cache_command.h"
#include "api/cache/cache_prefetcher.h"
#include "api/cache/image_cache.h"
#include "api/http_registry_client.h"
#include "common/auth/keystone_auth.h"
#include "common/auth/service_token.h"
#include "common/clock.h"
#include "common/daemon_io_context.h"
#include "common/http/client.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>

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
  std::unique_ptr<common::auth::KeystoneAuth> keystone;
  if (command.api.keystone)
    keystone = std::make_unique<common::auth::KeystoneAuth>(*command.api.keystone);
  common::SystemClock clock;
  std::unique_ptr<common::http::HttpClient> link_keystone;
  std::unique_ptr<common::auth::ServiceToken> link_token;
  if (command.api.registry_admin) {
    link_keystone = std::make_unique<common::http::HttpClient>(common::http::ClientConfig{});
    link_token = std::make_unique<common::auth::ServiceToken>(*link_keystone,
                                                              *command.api.registry_admin, clock);
  }
  api::HttpRegistryClient registry(command.api.registry,
                                   api::HttpRegistryClient::Resource::v1_images, link_token.get());
  api::ImageCache cache(std::move(command.cache), pool);
  size_t queued = cache.directory().queued().size();
  size_t cached = 0;
  bool failed = false;
  boost::asio::co_spawn(ioc,
                        api::prefetch_queued(registry, **stores, cache,
                                             api::prefetcher_caller(command.api.context.admin_role),
                                             keystone ? &keystone->service_token() : nullptr),
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
