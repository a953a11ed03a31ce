#include "tests/support/daemon.h"

#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace glance::testing {

std::string registry_binary() {
  return GLANCE_REGISTRY_BIN;
}
std::string api_binary() {
  return GLANCE_API_BIN;
}
std::string manage_binary() {
  return GLANCE_MANAGE_BIN;
}

std::string scrubber_binary() {
  return GLANCE_SCRUBBER_BIN;
}

Daemon::Daemon(std::string binary, std::string config_text)
    : binary_(std::move(binary)), dir_(make_temp_dir("glance-daemon")) {
  config_path_ = dir_ + "/daemon.conf";
  log_path_ = dir_ + "/daemon.log";
  std::ofstream(config_path_) << config_text;
}

Daemon::~Daemon() {
  if (pid_ > 0) stop();
}

std::string Daemon::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Daemon::metrics_port() const {
  static const std::regex serving(R"(serving /metrics on [^ ]+:(\d+))");
  std::smatch m;
  const std::string text = log();
  return std::regex_search(text, m, serving) ? std::stoi(m[1]) : 0;
}

void Daemon::start() {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
    std::vector<const char*> argv = {binary_.c_str()};
    for (const auto& f : base_configs_) argv.insert(argv.end(), {"--config-file", f.c_str()});
    argv.insert(argv.end(), {"--config-file", config_path_.c_str(), nullptr});
    execv(binary_.c_str(), const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  static const std::regex listening(R"(listening on ([^ ]+):(\d+))");
  // The daemon writes the line once bound; poll its log, and notice if it died instead.
  int port = 0;
  std::string host;
  bool exited = false;
  auto listening_or_exited = [&] {
    std::smatch m;
    std::string text = log();
    if (std::regex_search(text, m, listening)) {
      host = m[1];
      port = std::stoi(m[2]);
      return true;
    }
    int status = 0;
    exited = waitpid(pid_, &status, WNOHANG) == pid_;
    return exited;
  };
  if (signal_once_listening_ != 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!listening_or_exited() && std::chrono::steady_clock::now() < deadline) {
    }
    if (port > 0) ::kill(pid_, signal_once_listening_);
  } else {
    eventually(listening_or_exited, std::chrono::seconds(30));
  }
  if (port > 0) {
    host_ = host;
    port_ = port;
    return;
  }
  if (exited) {
    pid_ = -1;
    throw std::runtime_error(binary_ + " exited before listening:\n" + log());
  }
  stop();
  throw std::runtime_error(binary_ + " did not start listening:\n" + log());
}

int Daemon::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Daemon::signal(int signo) const {
  if (pid_ > 0) kill(pid_, signo);
}

int Daemon::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  int status = 0;
  if (!eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout)) return -1;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::pair<int, std::string> Daemon::run(const std::string& binary, const std::string& args) {
  std::string out;
  FILE* pipe = popen((binary + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace glance::testing
