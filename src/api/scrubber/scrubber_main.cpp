// glance-scrubber: deletes the data of images deleted with delayed_delete, once or as a
// daemon, and brings a pending_delete image back with --restore.

#include "api/http_registry_client.h"
#include "api/scrubber/scrubber.h"
#include "api/scrubber/scrubber_options.h"
#include "common/auth/service_token.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/daemon_io_context.h"
#include "common/http/client.h"
#include "common/logging.h"
#include "common/systemd_notify.h"
#include "store/blocking_pool.h"
#include "store/store_registry.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>

using namespace glance;
namespace net = boost::asio;

namespace {
const std::string kProgram = "glance-scrubber";

api::scrubber::CommandLine command_line_or_exit(int argc, char** argv) {
  auto cmd = api::scrubber::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!cmd) {
    std::cerr << kProgram << ": " << cmd.error().message() << "\n";
    std::exit(2);
  }
  if (cmd->help) {
    std::cout << api::scrubber::kUsage;
    std::exit(0);
  }
  if (cmd->version) {
    std::cout << GLANCE_VERSION << "\n";
    std::exit(0);
  }
  // Upstream's default files: the api's (stores, registry link), then the scrubber's.
  if (cmd->config_files.empty())
    for (const char* path : {"/etc/glance/glance-api.conf", "/etc/glance/glance-scrubber.conf"})
      if (std::filesystem::exists(path)) cmd->config_files.push_back(path);
  return std::move(*cmd);
}

void log_summary(const api::scrubber::PassSummary& s) {
  spdlog::info(
      "scrub pass: {} pending_delete, {} deleted, {} left for a later pass, {} waiting for "
      "scrub_time, {} unfinished deletes waiting out scrubber_claim_lease, {} taken by another "
      "scrubber",
      s.pending, s.deleted, s.retry, s.waiting, s.fresh, s.elsewhere);
  const auto& l = s.locations;
  if (!l.listed) return;
  spdlog::info(
      "scrub pass, locations removed from images: {} pending_delete, {} scrubbed, {} deleted "
      "leaving their data (in use or not the image's own), {} left for a later pass, {} waiting "
      "for scrub_time, {} taken by another scrubber",
      l.pending, l.scrubbed, l.kept, l.retry, l.waiting, l.elsewhere);
}

// Passes every wakeup_time until SIGTERM or SIGINT; a pass under way is finished first.
net::awaitable<void> run_daemon(api::scrubber::Scrubber& scrubber, std::chrono::seconds wakeup,
                                bool& stopping, net::steady_timer& timer) {
  while (!stopping) {
    auto pass = co_await scrubber.run_pass();
    if (pass)
      log_summary(*pass);
    else
      spdlog::error("scrub pass failed: {}", pass.error().message());
    if (stopping) break;
    timer.expires_after(wakeup);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

int restore(net::io_context& ioc, api::scrubber::Scrubber& scrubber, const std::string& id) {
  int status = 0;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        auto restored = co_await scrubber.restore(id);
        if (!restored) {
          std::cerr << "ERROR: " << restored.error().message() << "\n";
          status = 1;
        } else {
          std::cout << "Image " << restored->id << " restored to active\n";
        }
      },
      net::detached);
  ioc.run();
  return status;
}

int run_one_pass(net::io_context& ioc, api::scrubber::Scrubber& scrubber) {
  int status = 0;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        auto pass = co_await scrubber.run_pass();
        if (!pass) {
          spdlog::error("scrub pass failed: {}", pass.error().message());
          status = 1;
        } else {
          log_summary(*pass);
        }
      },
      net::detached);
  ioc.run();
  return status;
}

int run_as_daemon(net::io_context& ioc, api::scrubber::Scrubber& scrubber,
                  const api::scrubber::ScrubberConfig& config) {
  bool stopping = false;
  net::steady_timer timer(ioc);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    spdlog::info("stopping after the pass under way");
    stopping = true;
    timer.cancel();
    // A second signal stops at once.
    signals.async_wait([](const boost::system::error_code& e, int) {
      if (!e) std::_Exit(1);
    });
  });
  spdlog::info("scrubbing every {}s, registry {}:{}", config.wakeup_time.count(),
               config.api.registry.host, config.api.registry.port);
  common::notify_service_manager("READY=1");
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        co_await run_daemon(scrubber, config.wakeup_time, stopping, timer);
        signals.cancel();
      },
      net::detached);
  ioc.run();
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  auto cmd = command_line_or_exit(argc, argv);
  auto file = common::ConfigFile::load(cmd.config_files);
  if (!file) {
    std::cerr << kProgram << ": " << file.error().message() << "\n";
    return 1;
  }
  auto config = api::scrubber::load_scrubber_config(*file);
  if (!common::setup_logging(config.api.log, kProgram)) return 1;
  common::check_config_or_exit(*file, cmd.list_options);
  if (!config.api.delayed_delete)
    spdlog::warn(
        "delayed_delete is off: an api configured alike deletes data at once and "
        "leaves nothing to scrub");

  common::DaemonIoContext ioc;
  store::BlockingPool store_workers(api::store_worker_threads(config.api));
  auto stores = store::StoreRegistry::from_config(config.api.stores, store_workers);
  if (!stores) {
    spdlog::critical("cannot set up the image stores: {}", stores.error().message());
    return 1;
  }
  common::SystemClock clock;
  // As glance-api's registry link: its own Keystone token with use_user_token = False.
  std::unique_ptr<common::http::HttpClient> link_keystone;
  std::unique_ptr<common::auth::ServiceToken> link_token;
  if (config.api.registry_admin) {
    link_keystone = std::make_unique<common::http::HttpClient>(common::http::ClientConfig{});
    link_token = std::make_unique<common::auth::ServiceToken>(*link_keystone,
                                                              *config.api.registry_admin, clock);
  }
  api::HttpRegistryClient registry(config.api.registry,
                                   api::HttpRegistryClient::Resource::v1_images, link_token.get());
  api::scrubber::Scrubber scrubber(
      registry, **stores, {config.scrub_time, config.scrub_pool_size, config.claim_lease}, clock);

  int status = cmd.restore  ? restore(ioc, scrubber, *cmd.restore)
               : cmd.daemon ? run_as_daemon(ioc, scrubber, config)
                            : run_one_pass(ioc, scrubber);
  // Store work still running resumes on `ioc`: let it finish while `ioc` exists.
  store_workers.join();
  ioc.destroy_pending_work();
  return status;
}
