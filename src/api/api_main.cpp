// glance-api: the Images API v1 daemon.

#include "api/api_config.h"
#include "api/api_metrics.h"
#include "api/authorizer.h"
#include "api/cache/cache_jobs.h"
#include "api/cache/cache_manage_controller.h"
#include "api/cache/cache_prefetcher.h"
#include "api/cache/image_cache.h"
#include "api/health_controller.h"
#include "api/http_registry_client.h"
#include "api/images_controller.h"
#include "api/members_controller.h"
#include "api/orphan_reaper.h"
#include "api/property_protections.h"
#include "api/registry_client_metrics.h"
#include "api/v2/actions_controller.h"
#include "api/v2/images_controller.h"
#include "api/v2/info_controller.h"
#include "api/v2/members_controller.h"
#include "api/v2/schemas.h"
#include "api/v2/tags_controller.h"
#include "api/version_negotiation.h"
#include "common/auth/keystone_auth.h"
#include "common/auth/service_token.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/daemon_io_context.h"
#include "common/http/client.h"
#include "common/http/server.h"
#include "common/image_id.h"
#include "common/metrics/daemon_metrics.h"
#include "common/notify/messaging_notifier.h"
#include "common/notify/notification_metrics.h"
#include "common/notify/rabbit_publisher.h"
#include "common/standard_filters.h"
#include "common/systemd_notify.h"
#include "store/file/file_driver.h"
#include "store/metered_store.h"
#include "store/store_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

using namespace glance;

int main(int argc, char** argv) {
  const std::string program = "glance-api";
  auto cmd = common::parse_command_line(argc, argv, program, false);
  auto file = common::load_config_or_exit(cmd, program);
  auto config = api::load_api_config(file);
  if (!common::setup_logging(config.log, program)) return 1;
  // The policy comes first: in policies format the protection file names its rules.
  config.policy.search_dirs = common::policy::policy_search_dirs(cmd.config_files);
  auto policy = common::policy::Enforcer::load(config.policy, api::builtin_policy_rules());
  if (!policy) {
    spdlog::critical("cannot load the policy: {}", policy.error().message());
    return 1;
  }
  const api::Authorizer authorizer(**policy);
  auto protections = api::load_property_protections(config.property_protection,
                                                    config.policy.search_dirs, authorizer, file);
  const auto metrics_where = common::metrics::load_metrics_listener_options(file);
  common::check_config_or_exit(file, cmd.list_options);
  common::prepare_server_process();
  for (const auto& source : (*policy)->sources()) spdlog::info("policy rules from {}", source);

  // First in, last out: the stores' and the registry client's pooled connections hold
  // sockets of this io_context, which must outlive them. The metrics come first of all:
  // everything counts into them.
  common::metrics::Metrics metrics;
  common::DaemonIoContext ioc;
  store::BlockingPool store_workers(api::store_worker_threads(config));
  if (config.server.expose_metrics) store::meter_drivers(config.stores, metrics);
  auto stores = store::StoreRegistry::from_config(config.stores, store_workers);
  if (!stores) {
    spdlog::critical("cannot set up the image stores: {}", stores.error().message());
    return 1;
  }

  std::unique_ptr<api::ImageCache> cache;
  if (config.cache.enabled) {
    auto directory = api::CacheDirectory::open(config.cache, true);
    if (!directory) {
      spdlog::critical("cannot set up the image cache: {}", directory.error().message());
      return 1;
    }
    cache = std::make_unique<api::ImageCache>(std::move(*directory), store_workers);
  }

  auto sources = api::SourcePolicy::from_config(config.source_policy);
  if (!sources) return 1;  // not reached: check_config_or_exit refused the options already

  // use_user_token = False with admin credentials: the registry link's own Keystone token.
  // Declared before the registry client, which uses it until it is destroyed.
  common::SystemClock clock;
  // Notifications leave through one publisher thread, so that a slow or absent broker never
  // holds a request; the controllers below use `notifier` until they are destroyed.
  const auto& notices = config.notifications;
  std::unique_ptr<common::notify::RabbitPublisher> publisher;
  if (notices.transport && std::any_of(notices.drivers.begin(), notices.drivers.end(), [](auto d) {
        return d == common::notify::NotifyDriver::messaging ||
               d == common::notify::NotifyDriver::messagingv2;
      }))
    publisher = std::make_unique<common::notify::RabbitPublisher>(
        *notices.transport,
        common::notify::PublisherOptions{notices.exchange, notices.durable, notices.auto_delete,
                                         notices.max_queued, notices.max_reconnect_delay});
  common::RandomIdGenerator notice_ids;
  common::notify::MessagingNotifier notifier(notices, notice_ids, clock, publisher.get());
  // Without a driver (oslo's default) the controllers get no notifier at all, so that no
  // request builds a payload only for it to be dropped.
  common::notify::Notifier* notify_to = notices.drivers.empty() ? nullptr : &notifier;
  // Before the registry clients, which count into it.
  std::unique_ptr<api::RegistryClientMetrics> registry_metrics;
  std::unique_ptr<common::auth::AuthMetrics> auth_metrics;
  if (config.server.expose_metrics) {
    registry_metrics = std::make_unique<api::RegistryClientMetrics>(metrics);
    if (config.keystone || config.registry_admin)
      auth_metrics = std::make_unique<common::auth::AuthMetrics>(metrics);
  }
  std::unique_ptr<common::http::HttpClient> link_keystone;
  std::unique_ptr<common::auth::ServiceToken> link_token;
  if (config.registry_admin) {
    link_keystone = std::make_unique<common::http::HttpClient>(common::http::ClientConfig{});
    link_token =
        std::make_unique<common::auth::ServiceToken>(*link_keystone, *config.registry_admin, clock);
    if (auth_metrics) auth_metrics->watch(*link_token);
  }
  api::HttpRegistryClient registry(config.registry, api::HttpRegistryClient::Resource::v1_images,
                                   link_token.get());
  registry.set_metrics(registry_metrics.get());
  api::UploadLimits limits{config.image_size_cap, config.user_storage_quota};
  limits.lease_interval = config.upload_orphan_timeout / 4;
  if (config.upload_orphan_timeout.count() > 0)
    limits.lease_interval = std::max(limits.lease_interval, std::chrono::seconds(1));
  api::CopyJobs copies(registry, **stores, *sources, limits, config.max_concurrent_copies,
                       notify_to);
  // One cap for the uploads of both APIs.
  api::ConcurrencyLimit uploads(config.max_concurrent_uploads, "uploads");
  api::ImagesController images(
      registry, **stores, *sources, copies, authorizer, uploads,
      {config.formats, limits, config.delayed_delete, config.image_property_quota,
       protections.get(), cache.get(), notify_to});
  common::http::Router router;
  api::MembersController members(registry, authorizer, config.image_member_quota);
  api::add_image_routes(router, images);
  api::add_member_routes(router, members);
  std::unique_ptr<api::CacheManageController> cache_manage;
  if (cache && config.cache.management) {
    cache_manage = std::make_unique<api::CacheManageController>(*cache, authorizer);
    api::add_cache_manage_routes(router, *cache_manage);
  }
  // v2 reads and writes images through the registry's /v2/images resource, which carries
  // visibility, tags and hidden images; members stay on the shared routes.
  api::HttpRegistryClient v2_registry(config.registry, api::HttpRegistryClient::Resource::v2_images,
                                      link_token.get());
  v2_registry.set_metrics(registry_metrics.get());
  const api::v2::SchemaDocuments v2_schemas(config.formats);
  api::v2::ImagesController v2_images(
      v2_registry, **stores, *sources, authorizer, uploads,
      {config.formats, limits, config.delayed_delete, config.image_property_quota,
       config.image_tag_quota, config.limit_param_default, config.api_limit_max, protections.get(),
       config.show_image_direct_url, config.show_multiple_locations, cache.get(), notify_to});
  api::v2::TagsController v2_tags(v2_registry, authorizer, config.image_tag_quota, notify_to);
  api::v2::ActionsController v2_actions(v2_registry, authorizer, notify_to);
  api::v2::InfoController v2_info(**stores);
  api::v2::MembersController v2_members(v2_registry, authorizer, config.image_member_quota,
                                        notify_to);
  if (config.enable_v2_api) {
    api::v2::add_routes(router, v2_images, v2_schemas);
    api::v2::add_tag_routes(router, v2_tags);
    api::v2::add_action_routes(router, v2_actions);
    api::v2::add_info_routes(router, v2_info);
    api::v2::add_member_routes(router, v2_members);
  }

  // Upstream's order: healthcheck, version negotiation, token validation (flavor keystone),
  // then the context (so "/" and "/versions" never need credentials).
  std::unique_ptr<common::auth::KeystoneAuth> keystone;
  std::vector<common::http::Filter> filters{
      common::healthcheck_filter(config.healthcheck_disable_file),
      api::version_negotiation_filter(
          {config.enable_v1_api, config.public_endpoint, config.enable_v2_api})};
  if (config.keystone) {
    keystone = std::make_unique<common::auth::KeystoneAuth>(*config.keystone);
    keystone->set_metrics(auth_metrics.get());
    filters.push_back(keystone->filter());
  }
  filters.push_back(
      common::context_filter(config.context, config.max_request_id_length, policy->get()));
  common::http::Router health_routes;
  api::add_health_routes(health_routes, registry);
  common::http::HttpServer server(ioc, config.server, router, std::move(filters), &health_routes);
  auto metrics_listener =
      common::metrics::expose_metrics(ioc, config.server, metrics_where, metrics, health_routes,
                                      server, config.healthcheck_disable_file);
  if (!metrics_listener) {
    spdlog::critical("{}", metrics_listener.error().message());
    return 1;
  }
  if (config.server.expose_metrics) {
    api::add_api_metrics(metrics, uploads, copies);
    if (publisher) common::notify::add_notification_metrics(metrics, *publisher);
  }
  auto port = server.start();
  if (!port) {
    spdlog::critical("{}", port.error().message());
    return 1;
  }
  spdlog::info(
      "listening on {}:{} with {} threads and {} store workers, registry {}:{}, default store {}",
      config.server.bind_host, *port, config.server.workers, store_workers.threads(),
      config.registry.host, config.registry.port, config.stores.default_store);
  // The file driver's directory, for the reaper's partial files (the driver may be wrapped).
  const std::string file_datadir = (*stores)->find("file")
                                       ? store::load_file_config(file).filesystem_store_datadir
                                       : std::string();
  api::OrphanReaper reaper(registry, (*stores)->writable(),
                           {config.upload_orphan_timeout, file_datadir},
                           keystone ? &keystone->service_token() : nullptr);
  reaper.start(ioc.get_executor());
  // The image_cache_*_interval jobs; without a cache there is nothing for them to do.
  std::unique_ptr<api::CacheJobs> cache_jobs;
  if (cache) {
    cache_jobs = std::make_unique<api::CacheJobs>(
        *cache, config.cache,
        api::CachePrefetchSource{registry, **stores,
                                 api::prefetcher_caller(config.context.admin_role),
                                 keystone ? &keystone->service_token() : nullptr});
    cache_jobs->start(ioc.get_executor());
  }
  if (config.server.tls.enabled())
    spdlog::info("serving HTTPS{}",
                 config.server.tls.ca_file.empty() ? "" : ", clients must present a certificate");
  common::notify_service_manager("READY=1");
  common::run_until_signalled(
      ioc, config.server.workers, config.server.shutdown_grace,
      {.stop_accepting =
           [&] {
             server.stop();
             if (*metrics_listener) (*metrics_listener)->stop();
             reaper.stop();
             if (cache_jobs) cache_jobs->stop();
           },
       // Copies run after their request was answered: wait for them
       // too, and cut them with the connections.
       .drained = [&] { return server.active_requests() == 0 && copies.running() == 0; },
       .cut_connections =
           [&] {
             server.abort_connections();
             if (*metrics_listener) (*metrics_listener)->abort_connections();
             copies.cancel_all();
           },
       .reload =
           [&] {
             common::reload_from_config_files(cmd);
             if (auto ok = server.reload_tls(); !ok)
               spdlog::error("reload: {}; keeping the running certificates", ok.error().message());
             if (auto r = (*policy)->reload(); !r)
               spdlog::error("policy not reloaded on SIGHUP, the rules in force stay: {}",
                             r.error().message());
             else
               spdlog::info("policy reloaded on SIGHUP");
           }});
  // Retries against a store's server that is away would hold the join: what they leave is the
  // orphan reaper's. Store work still running resumes on `ioc`: let it finish while `ioc` exists.
  (*stores)->stop_background_work();
  store_workers.join();
  ioc.destroy_pending_work();
  // Fills whose pumps were still reading a store have just been destroyed with the pending
  // work; their files would otherwise wait for the next start.
  if (cache) cache->discard_unsettled_fills();
  return 0;
}
