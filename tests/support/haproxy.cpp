#include "tests/support/haproxy.h"

#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/raw_connection.h"
#include "tests/support/timed_http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace glance::testing {

namespace {

int bind_loopback() {
  int port = 0;
  int fd = listen_ephemeral("127.0.0.1", &port);
  if (fd < 0) throw std::runtime_error("cannot bind a loopback port for HAProxy");
  return fd;
}

int port_of(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("getsockname failed");
  return ntohs(addr.sin_port);
}

// Debian installs HAProxy in /usr/sbin, which a non-root PATH often lacks.
std::string haproxy_binary() {
  return ::access("/usr/sbin/haproxy", X_OK) == 0 ? "/usr/sbin/haproxy" : "haproxy";
}

}  // namespace

Haproxy::Haproxy() : dir_(make_temp_dir("glance-haproxy")) {
  stats_fd_ = bind_loopback();
  stats_port_ = port_of(stats_fd_);
}

Haproxy::~Haproxy() {
  stop();
  for (const auto& f : frontends_) ::close(f.listen_fd);
  ::close(stats_fd_);
}

int Haproxy::add_frontend(const std::string& name) {
  frontends_.push_back({name, bind_loopback(), {}});
  return port_of(frontends_.back().listen_fd);
}

void Haproxy::set_servers(const std::string& name, std::vector<HaproxyServer> servers) {
  for (auto& f : frontends_)
    if (f.name == name) {
      f.servers = std::move(servers);
      return;
    }
  throw std::runtime_error("no HAProxy frontend " + name);
}

const HaproxyFrontend& Haproxy::frontend(const std::string& name) const {
  for (const auto& f : frontends_)
    if (f.name == name) return f;
  throw std::runtime_error("no HAProxy frontend " + name);
}

int Haproxy::port(const std::string& frontend_name) const {
  return port_of(frontend(frontend_name).listen_fd);
}

std::string Haproxy::log() const {
  std::ifstream in(dir_ + "/haproxy.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Haproxy::start() {
  config_text_ = haproxy_config(frontends_, stats_fd_);
  const std::string config = dir_ + "/haproxy.cfg", log_path = dir_ + "/haproxy.log";
  std::ofstream(config) << config_text_;
  const std::string binary = haproxy_binary();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    // The listening sockets are close-on-exec for every other child; HAProxy inherits them.
    ::fcntl(stats_fd_, F_SETFD, 0);
    for (const auto& f : frontends_) ::fcntl(f.listen_fd, F_SETFD, 0);
    // -db: stay in the foreground, so that this process is HAProxy and its pid ours to stop.
    execlp(binary.c_str(), binary.c_str(), "-db", "-f", config.c_str(), nullptr);
    _exit(127);
  }
  bool exited = false;
  bool ready = eventually(
      [&] {
        int status = 0;
        exited = waitpid(pid_, &status, WNOHANG) == pid_;
        if (exited) return true;
        try {
          stats();
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(30));
  if (exited) {
    pid_ = -1;
    throw std::runtime_error("haproxy exited at start:\n" + log() + "\n" + config_text_);
  }
  if (!ready) {
    stop();
    throw std::runtime_error("haproxy did not answer its statistics:\n" + log());
  }
}

void Haproxy::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::vector<HaproxyServerStats> Haproxy::stats() const {
  // Bounded: until HAProxy accepts, a connection waits in the backlog of the socket this
  // process bound, and HAProxy may have exited.
  auto reply = timed_request(stats_port_, "GET", "/stats;csv", {}, "", std::chrono::seconds(5));
  if (!reply.answered) throw std::runtime_error("no HAProxy statistics: " + reply.failure);
  const auto& r = reply.response;
  if (r.status != 200)
    throw std::runtime_error("HAProxy statistics answered " + std::to_string(r.status));
  return parse_haproxy_stats(r.body);
}

HaproxyServerStats Haproxy::server(const std::string& frontend_name, size_t index) const {
  auto found = find_server(stats(), haproxy_backend_name(frontend_name),
                           haproxy_server_name(frontend_name, index));
  if (!found)
    throw std::runtime_error("HAProxy has no server " + std::to_string(index) + " behind " +
                             frontend_name);
  return *found;
}

bool Haproxy::wait_for_status(const std::string& frontend_name, size_t index,
                              const std::string& status, std::chrono::milliseconds timeout) const {
  return eventually(
      [&] {
        try {
          return server(frontend_name, index).status == status;
        } catch (const std::exception&) {
          return false;
        }
      },
      timeout);
}

}  // namespace glance::testing
