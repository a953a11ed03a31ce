// glance-registry: the metadata daemon.

#include "common/auth/keystone_auth.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/daemon_io_context.h"
#include "common/http/server.h"
#include "common/image_id.h"
#include "common/metrics/daemon_metrics.h"
#include "common/standard_filters.h"
#include "common/systemd_notify.h"
#include "registry/db/db_executor.h"
#include "registry/db/migrations.h"
#include "registry/db/mysql_image_repository.h"
#include "registry/db/mysql_member_repository.h"
#include "registry/db/mysql_scrub_repository.h"
#include "registry/db/mysql_tag_repository.h"
#include "registry/health_resource.h"
#include "registry/images_resource.h"
#include "registry/members_resource.h"
#include "registry/node_health.h"
#include "registry/registry_config.h"
#include "registry/scrub_resource.h"
#include "registry/tags_resource.h"
#include "registry/v2_members_resource.h"

#include <spdlog/spdlog.h>

#include <algorithm>

using namespace glance;

namespace {
// Refuses to serve a database it cannot reach or whose schema is older than this build.
void check_schema_or_exit(registry::DbExecutor& db) {
  auto version =
      db.read_sync<int>([](registry::MysqlConnection& c) { return registry::schema_version(c); });
  if (!version) {
    spdlog::critical("cannot use the database: {}", version.error().message());
    std::exit(1);
  }
  if (*version < registry::required_schema_version()) {
    spdlog::critical(
        "the database schema is at version {}, this glance-registry needs {}: run "
        "'glance-manage db_sync' first",
        *version, registry::required_schema_version());
    std::exit(1);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const std::string program = "glance-registry";
  auto cmd = common::parse_command_line(argc, argv, program, false);
  auto file = common::load_config_or_exit(cmd, program);
  auto config = registry::load_registry_config(file);
  if (!common::setup_logging(config.log, program)) return 1;
  const auto metrics_where = common::metrics::load_metrics_listener_options(file);
  common::check_config_or_exit(file, cmd.list_options);
  common::prepare_server_process();
  config.policy.search_dirs = common::policy::policy_search_dirs(cmd.config_files);
  auto policy =
      common::policy::Enforcer::load(config.policy, registry::builtin_registry_policy_rules());
  if (!policy) {
    spdlog::critical("cannot load the policy: {}", policy.error().message());
    return 1;
  }
  for (const auto& source : (*policy)->sources()) spdlog::info("policy rules from {}", source);
  auto url = registry::parse_database_url(config.database_connection);
  if (!url) {
    spdlog::critical("{}", url.error().message());
    return 1;
  }
  url->wsrep_sync_wait = config.wsrep_sync_wait;

  // Before db: the executor's threads post completions to ioc until it has joined them, so
  // ioc must outlive it (a write still running at shutdown would touch a destroyed ioc).
  // Before everything that counts into it.
  common::metrics::Metrics metrics;
  std::unique_ptr<registry::DbMetrics> db_metrics;
  std::unique_ptr<common::auth::AuthMetrics> auth_metrics;
  if (config.server.expose_metrics) {
    db_metrics = std::make_unique<registry::DbMetrics>(metrics, std::max(1, config.db_pool_size));
    if (config.keystone) auth_metrics = std::make_unique<common::auth::AuthMetrics>(metrics);
  }
  common::DaemonIoContext ioc;
  registry::DbExecutor db(*url, config.db_pool_size);
  db.set_metrics(db_metrics.get());
  check_schema_or_exit(db);

  common::SystemClock clock;
  common::RandomIdGenerator ids;
  registry::MysqlImageRepository images(clock);
  registry::MysqlMemberRepository members(clock);
  registry::MysqlTagRepository tags(clock);
  registry::ImagesResource images_resource(db, images, ids, config.limit_param_default,
                                           config.api_limit_max);
  registry::ImagesResource v2_images_resource(db, images, ids, config.limit_param_default,
                                              config.api_limit_max, true);
  registry::MembersResource members_resource(db, members);
  registry::TagsResource tags_resource(db, tags);
  registry::V2MembersResource v2_members_resource(db, members, clock);
  registry::MysqlScrubRepository scrub(clock);
  registry::ScrubResource scrub_resource(db, scrub);

  // The registry answers an unknown method on a known path with 404 (no reject routes).
  common::http::Router router(common::http::Router::OnWrongMethod::not_found);
  registry::add_image_routes(router, images_resource);
  registry::add_v2_image_routes(router, v2_images_resource);
  registry::add_member_routes(router, members_resource);
  registry::add_tag_routes(router, tags_resource);
  registry::add_v2_member_routes(router, v2_members_resource);
  registry::add_scrub_routes(router, scrub_resource);

  common::http::Router health_routes;
  std::unique_ptr<registry::NodeHealth> node_health;
  if (config.healthcheck_database_node) node_health = std::make_unique<registry::NodeHealth>(db);
  registry::add_health_routes(health_routes, db, node_health.get(),
                              config.healthcheck_disable_file);

  // After ioc: its pooled Keystone connections hold sockets of ioc.
  std::unique_ptr<common::auth::KeystoneAuth> keystone;
  std::vector<common::http::Filter> filters{
      common::healthcheck_filter(config.healthcheck_disable_file)};
  if (config.keystone) {
    keystone = std::make_unique<common::auth::KeystoneAuth>(*config.keystone);
    keystone->set_metrics(auth_metrics.get());
    filters.push_back(keystone->filter());
  }
  filters.push_back(
      common::context_filter(config.context, config.max_request_id_length, policy->get()));
  common::http::HttpServer server(ioc, config.server, router, std::move(filters), &health_routes);
  auto metrics_listener =
      common::metrics::expose_metrics(ioc, config.server, metrics_where, metrics, health_routes,
                                      server, config.healthcheck_disable_file);
  if (!metrics_listener) {
    spdlog::critical("{}", metrics_listener.error().message());
    return 1;
  }
  auto port = server.start();
  if (!port) {
    spdlog::critical("{}", port.error().message());
    return 1;
  }
  spdlog::info("listening on {}:{} with {} threads, database {}", config.server.bind_host, *port,
               config.server.workers, url->redacted());
  if (config.server.tls.enabled())
    spdlog::info("serving HTTPS{}",
                 config.server.tls.ca_file.empty() ? "" : ", clients must present a certificate");
  // Ready only now: MySQL answered and the schema is current (check_schema_or_exit).
  common::notify_service_manager("READY=1");
  common::run_until_signalled(ioc, config.server.workers, config.server.shutdown_grace,
                              {.stop_accepting =
                                   [&] {
                                     server.stop();
                                     if (*metrics_listener) (*metrics_listener)->stop();
                                   },
                               .drained = [&] { return server.active_requests() == 0; },
                               .cut_connections =
                                   [&] {
                                     server.abort_connections();
                                     if (*metrics_listener)
                                       (*metrics_listener)->abort_connections();
                                   },
                               .reload =
                                   [&] {
                                     common::reload_from_config_files(cmd);
                                     if (auto ok = server.reload_tls(); !ok)
                                       spdlog::error("reload: {}; keeping the running certificates",
                                                     ok.error().message());
                                     if (auto r = (*policy)->reload(); !r)
                                       spdlog::error(
                                           "policy not reloaded on SIGHUP, the rules in force "
                                           "stay: {}",
                                           r.error().message());
                                   }});
  // Queries still running post their completions to `ioc`: let them finish first.
  db.join();
  ioc.destroy_pending_work();
  return 0;
}
