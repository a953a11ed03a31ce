#include "tests/support/mariadb_server.h"

#include "tests/support/eventually.h"

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace glance::testing {

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

namespace {
// Removes every directory make_temp_dir() made when the test process exits: a suite run
// creates hundreds (stores, configs, logs) and must not fill the disk of the machine.
class TempDirs {
 public:
  ~TempDirs() {
    std::error_code ec;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ec);
  }
  void add(std::string dir) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(std::move(dir));
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> dirs_;
};

std::string new_temp_dir(const std::string& prefix) {
  std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") + "/" +
                     prefix + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}
}  // namespace

std::string make_temp_dir(const std::string& prefix) {
  static TempDirs dirs;
  std::string dir = new_temp_dir(prefix);
  dirs.add(dir);
  return dir;
}

MariadbServer& MariadbServer::instance() {
  static MariadbServer server;
  return server;
}

// The server's own directory is removed by its destructor, after the server stopped.
MariadbServer::MariadbServer() : dir_(new_temp_dir("glance-test-db")) {
  socket_ = dir_ + "/mysqld.sock";
  start();
}

MariadbServer::~MariadbServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "could not stop the test MariaDB in %s: %s\n", dir_.c_str(), e.what());
    return;  // keep the datadir of a server that may still run
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void MariadbServer::start() {
  auto out = run_command(std::string(GLANCE_SOURCE_DIR) + "/scripts/mariadb.sh start " + dir_ +
                         " " + std::to_string(port_));
  port_ = std::stoi(out.substr(out.find_last_of('\n', out.size() - 2) + 1));
}

void MariadbServer::stop() {
  run_command(std::string(GLANCE_SOURCE_DIR) + "/scripts/mariadb.sh stop " + dir_);
}

void MariadbServer::restart() {
  stop();
  start();
}

void MariadbServer::freeze(bool frozen) {
  std::ifstream pid_file(dir_ + "/mysqld.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) throw std::runtime_error("no MariaDB pid in " + dir_);
  ::kill(pid, frozen ? SIGSTOP : SIGCONT);
}

void MariadbServer::crash_and_restart() {
  std::ifstream pid_file(dir_ + "/mysqld.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) throw std::runtime_error("no MariaDB pid in " + dir_);
  ::kill(pid, SIGKILL);
  // Not our child, so no waitpid: gone, or a zombie left to its reaper, means dead.
  const std::string status = "/proc/" + std::to_string(pid) + "/status";
  if (!eventually(
          [&] {
            std::ifstream in(status);
            std::string line;
            while (std::getline(in, line))
              if (line.starts_with("State:")) return line.find('Z') != std::string::npos;
            return true;
          },
          std::chrono::seconds(30)))
    throw std::runtime_error("MariaDB survived SIGKILL");
  start();
}

std::string MariadbServer::sql(const std::string& statement, const std::string& database) const {
  std::string cmd = "mariadb --no-defaults -N -B --socket=" + socket_ + " -uroot ";
  if (!database.empty()) cmd += database + " ";
  cmd += "-e \"" + statement + "\"";
  return run_command(cmd);
}

std::string MariadbServer::fresh_database() {
  std::string name = "glance_t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  sql("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
  return "mysql://glance:glancepw@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace glance::testing
