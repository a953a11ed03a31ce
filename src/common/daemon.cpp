#include "common/daemon.h"

#include "common/http/tls_context.h"
#include "common/logging.h"
#include "common/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/program_options.hpp>

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

namespace glance::common {

namespace po = boost::program_options;
namespace net = boost::asio;

namespace {

// The daemon says it listens (and a test or an operator may ask it to reload) a little
// before run_until_signalled() installs its handlers; a SIGHUP in that gap would kill the
// process with the signal's default action. Until then this remembers it, and
// run_until_signalled() raises it again once its own handler is in place. SIGINT and SIGTERM
// keep their default action meanwhile: a daemon that is not serving yet has nothing to drain.
std::atomic<bool> reload_asked_before_serving{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void remember_reload(int) {
  reload_asked_before_serving.store(true, std::memory_order_relaxed);
}

void remember_reload_until_serving() {
  struct sigaction action {};
  action.sa_handler = remember_reload;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGHUP, &action, nullptr);
}

}  // namespace

CommandLine parse_command_line(int argc, char** argv, const std::string& program,
                               bool takes_positional) {
  CommandLine cmd;
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help and exit")("version", "show the version and exit")(
      "config-file", po::value<std::vector<std::string>>(&cmd.config_files)->composing(),
      "path to a config file; repeat to layer files, later ones win")(
      "list-options",
      "print the options this program reads (section, name, type, default, minimum, maximum, "
      "description; tab-separated) and exit");
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>(&cmd.args));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  if (takes_positional) positional.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << program << ": " << e.what() << "\n" << desc;
    std::exit(2);
  }
  if (vm.count("help")) {
    std::cout << "usage: " << program << " [--config-file PATH]..."
              << (takes_positional ? " COMMAND [ARGS]" : "") << "\n"
              << desc;
    std::exit(0);
  }
  if (vm.count("version")) {
    std::cout << GLANCE_VERSION << "\n";
    std::exit(0);
  }
  cmd.list_options = vm.count("list-options") > 0;
  if (cmd.config_files.empty()) {
    std::string fallback = "/etc/glance/" + program + ".conf";
    if (std::filesystem::exists(fallback)) cmd.config_files.push_back(fallback);
  }
  return cmd;
}

ConfigFile load_config_or_exit(const CommandLine& cmd, const std::string& program) {
  auto file = ConfigFile::load(cmd.config_files);
  if (!file) {
    std::cerr << program << ": " << file.error().message() << "\n";
    std::exit(1);
  }
  return std::move(*file);
}

void check_config_or_exit(const ConfigFile& file, bool list_options) {
  if (list_options) {
    auto bound = [](const std::optional<int64_t>& b) { return b ? std::to_string(*b) : ""; };
    for (const auto& o : file.options_read())
      std::cout << o.section << '\t' << o.key << '\t' << o.type << '\t' << o.default_value << '\t'
                << bound(o.min) << '\t' << bound(o.max) << '\t' << o.description << '\n';
    std::exit(0);
  }
  for (const auto& name : file.unknown_options())
    spdlog::warn("unknown option {} in the config files: ignored", name);
  if (!file.errors().empty()) {
    for (const auto& e : file.errors()) spdlog::critical("invalid configuration: {}", e);
    std::exit(1);
  }
}

namespace {
// Options that secure the listener are never half-applied: a set that cannot be honoured
// stops the daemon, naming the option, rather than leaving it to serve plain HTTP.
http::ServerTls load_server_tls(ConfigFile& file) {
  const std::string d = "DEFAULT";
  http::ServerTls tls;
  tls.cert_file = file.get_string(d, "cert_file", "");
  tls.key_file = file.get_string(d, "key_file", "");
  tls.ca_file = file.get_string(d, "ca_file", "");
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    file.add_error(d, tls.cert_file.empty() ? "cert_file" : "key_file",
                   "serving TLS needs both cert_file and key_file");
  } else if (tls.cert_file.empty() && !tls.ca_file.empty()) {
    file.add_error(d, "ca_file", "client certificates need TLS: set cert_file and key_file");
  } else if (tls.enabled()) {
    if (auto ca = http::check_client_tls_files({"", "", tls.ca_file}); !ca)
      file.add_error(d, "ca_file", ca.error().message());
    else if (auto context = http::make_server_tls_context(tls); !context)
      file.add_error(d, "cert_file", context.error().message());
  }
  return tls;
}
}  // namespace

http::ServerConfig load_server_config(ConfigFile& file, uint16_t default_port) {
  http::ServerConfig c;
  const std::string d = "DEFAULT";
  c.bind_host = file.get_string(d, "bind_host", "0.0.0.0");
  c.bind_port = static_cast<uint16_t>(file.get_int(d, "bind_port", default_port, 0, 65535));
  int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.workers = static_cast<int>(file.get_int(d, "workers", std::min(cpus, 8), 0, 1024));
  file.describe_default(d, "workers", "(the number of CPUs, at most 8)");
  if (c.workers == 0) c.workers = 1;  // Glance's 0 means "no forking": one process
  c.backlog = static_cast<int>(file.get_int(d, "backlog", 4096, 1, 65535));
  c.http_keepalive = file.get_bool(d, "http_keepalive", true);
  c.expose_metrics = file.get_bool(d, "expose_metrics", true);
  c.client_socket_timeout =
      std::chrono::seconds(file.get_int(d, "client_socket_timeout", 900, 0, 86400 * 7));
  if (c.client_socket_timeout.count() == 0) c.client_socket_timeout = std::chrono::hours(24 * 365);
  c.max_header_line = static_cast<uint32_t>(file.get_int(d, "max_header_line", 16384, 1, 1 << 24));
  c.max_connections = static_cast<size_t>(file.get_int(d, "max_connections", 4096, 1, 1 << 20));
  c.shutdown_grace = std::chrono::seconds(file.get_int(d, "graceful_shutdown_timeout", 60, 0));
  file.accept(d, "tcp_keepidle");
  c.tls = load_server_tls(file);
  return c;
}

void prepare_server_process() {
  // A client that goes away while we write must cost that request only, never the process:
  // writes then fail with EPIPE instead of raising SIGPIPE (sendfile(2) has no MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  // Each connection, open image and store connection takes a descriptor; the soft limit is
  // often 1,024 while the hard one (systemd's LimitNOFILE) is far higher.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
      spdlog::warn("could not raise the open file limit to {}", limit.rlim_max);
  }
  remember_reload_until_serving();
}

ContextPolicy load_context_policy(ConfigFile& file) {
  ContextPolicy p;
  p.flavor = file.get_string("paste_deploy", "flavor", "");
  p.admin_role = file.get_string("DEFAULT", "admin_role", "admin");
  p.owner_is_tenant = file.get_bool("DEFAULT", "owner_is_tenant", true);
  p.allow_anonymous_access = file.get_bool("DEFAULT", "allow_anonymous_access", false);
  file.accept("paste_deploy", "config_file");
  return p;
}

std::optional<auth::KeystoneAuthOptions> load_keystone_auth(ConfigFile& file,
                                                            const ContextPolicy& policy) {
  if (policy.validates_tokens()) return auth::load_keystone_auth_options(file);
  const std::string prefix = "keystone_authtoken.";
  for (const auto& name : file.unknown_options())
    if (name.starts_with(prefix)) file.accept("keystone_authtoken", name.substr(prefix.size()));
  return std::nullopt;
}

void reload_from_config_files(const CommandLine& cmd) {
  auto file = ConfigFile::load(cmd.config_files);
  if (!file) {
    spdlog::error("reload: {}; keeping the running settings", file.error().message());
    return;
  }
  auto log = load_log_config(*file);
  if (!file->errors().empty()) {
    for (const auto& e : file->errors()) spdlog::error("reload: invalid configuration: {}", e);
    spdlog::error("reload: keeping the running settings");
    return;
  }
  reload_logging(log);
}

void run_until_signalled(net::io_context& ioc, int threads, std::chrono::seconds grace,
                         const DaemonHooks& hooks) {
  // After the grace period, how long cut requests get to run their failure paths (a
  // registry call and a file removal each).
  constexpr auto kCutWindow = std::chrono::seconds(10);
  // One strand for the signal handler and the drain timer: the locals below need no lock.
  auto strand = net::make_strand(ioc);
  net::signal_set signals(strand, SIGINT, SIGTERM, SIGHUP);
  if (reload_asked_before_serving.exchange(false)) ::raise(SIGHUP);
  net::steady_timer drain_timer(strand);
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool draining = false;
  bool cut = false;
  std::function<void()> check_drained = [&] {
    auto now = std::chrono::steady_clock::now();
    if (hooks.drained()) {
      ioc.stop();
      return;
    }
    if (now >= deadline && !cut) {
      spdlog::warn("grace period over: cutting the requests still in flight");
      cut = true;
      deadline = now + kCutWindow;
      if (hooks.cut_connections) hooks.cut_connections();
    } else if (now >= deadline) {
      spdlog::warn("exiting with requests still in flight");
      ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code) { check_drained(); });
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec,
                                                                      int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      notify_service_manager("RELOADING=1");
      spdlog::info("caught SIGHUP, reloading");
      if (hooks.reload) hooks.reload();
      notify_service_manager("READY=1");
    } else if (draining) {
      spdlog::warn("caught signal {} while draining: stopping now", signo);
      ioc.stop();
      return;
    } else {
      draining = true;
      notify_service_manager("STOPPING=1");
      spdlog::info("caught signal {}, draining (grace period {}s)", signo, grace.count());
      // oslo.service: a graceful_shutdown_timeout of 0 waits for as long as it takes.
      if (grace.count() > 0) deadline = std::chrono::steady_clock::now() + grace;
      hooks.stop_accepting();
      check_drained();
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
}

}  // namespace glance::common
