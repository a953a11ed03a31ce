// glance-api: the Images API v1 daemon.

#include "api/api_config.h"
#include "api/http_registry_client.h"
#include "api/images_controller.h"
#include "api/members_controller.h"
#include "api/version_negotiation.h"
#include "common/daemon.h"
#include "common/http/server.h"
#include "common/standard_filters.h"
#include "common/systemd_notify.h"
#include "store/store_registry.h"

#include <spdlog/spdlog.h>

using namespace glance;

int main(int argc, char** argv) {
  const std::string program = "glance-api";
  auto cmd = common::parse_command_line(argc, argv, program, false);
  auto file = common::load_config_or_exit(cmd, program);
  auto config = api::load_api_config(file);
  if (!common::setup_logging(config.log, program)) return 1;
  common::check_config_or_exit(file);
  if (config.user_storage_quota > 0)
    spdlog::warn("user_storage_quota is not enforced by this build");

  auto stores = store::StoreRegistry::from_config(config.stores);
  if (!stores) {
    spdlog::critical("cannot set up the image stores: {}", stores.error().message());
    return 1;
  }

  boost::asio::io_context ioc;
  api::HttpRegistryClient registry(ioc, config.registry);
  api::ImagesController images(registry, **stores,
                               {config.formats, {config.image_size_cap}, config.delayed_delete});
  common::http::Router router;
  api::MembersController members(registry, config.image_member_quota);
  api::add_image_routes(router, images);
  api::add_member_routes(router, members);

  // Upstream's order: healthcheck, version negotiation, then the context (so "/" and
  // "/versions" never need credentials).
  std::vector<common::http::Filter> filters{
      common::healthcheck_filter(config.healthcheck_disable_file),
      api::version_negotiation_filter({config.enable_v1_api, config.public_endpoint}),
      common::context_filter(config.context, config.max_request_id_length)};
  common::http::HttpServer server(ioc, config.server, router, std::move(filters));
  auto port = server.start();
  if (!port) {
    spdlog::critical("{}", port.error().message());
    return 1;
  }
  spdlog::info("listening on {}:{} with {} threads, registry {}:{}, default store {}",
               config.server.bind_host, *port, config.server.workers, config.registry.host,
               config.registry.port, config.stores.default_store);
  common::notify_service_manager("READY=1");
  common::run_until_signalled(
      ioc, config.server.workers, [&] { server.stop(); },
      [&] { return server.active_requests() == 0; }, config.server.shutdown_grace,
      [&] { common::reload_from_config_files(cmd); });
  return 0;
}
