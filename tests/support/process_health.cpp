#include "tests/support/process_health.h"

#include <cstdlib>

#include "tests/support/daemon.h"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace glance::testing {
namespace {

std::string proc_path(pid_t pid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

// The number after `field` in /proc/PID/status ("Threads:\t4", "VmRSS:\t  1234 kB").
size_t status_field(const std::string& status, const std::string& field) {
  auto at = status.find("\n" + field + ":");
  if (at == std::string::npos) throw std::runtime_error("no " + field + " in /proc status");
  return std::stoull(status.substr(at + field.size() + 2));
}

// Inodes of the sockets in /proc/PID/net/<table> ("tcp", "tcp6") whose local port is `port`
// and which are not listening (state 0A).
void add_accepted_inodes(pid_t pid, const char* table, int port, std::set<std::string>& inodes) {
  std::ifstream in(proc_path(pid, (std::string("net/") + table).c_str()));
  std::string line;
  std::getline(in, line);  // column titles
  while (std::getline(in, line)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    auto colon = local.rfind(':');
    if (!fields || colon == std::string::npos || state == "0A") continue;
    if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) inodes.insert(inode);
  }
}

std::string tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

ProcessHealth ProcessHealth::snapshot(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  std::stringstream status;
  status << "\n" << in.rdbuf();
  // A zombie keeps its status file but has neither memory nor descriptors.
  if (!in || status.str().find("\nVmRSS:") == std::string::npos)
    throw std::runtime_error("no live process " + std::to_string(pid));
  ProcessHealth health;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc_path(pid, "fd"), ec), end; !ec && it != end;
       it.increment(ec))
    ++health.open_fds;
  if (ec) throw std::runtime_error("cannot list descriptors of " + std::to_string(pid));
  health.threads = status_field(status.str(), "Threads");
  health.rss_bytes = status_field(status.str(), "VmRSS") * 1024;
  return health;
}

std::ostream& operator<<(std::ostream& out, const ProcessHealth& health) {
  return out << health.open_fds << " fds, " << health.threads << " threads, "
             << health.rss_bytes / 1024 << " KiB RSS";
}

size_t RecoveryLimits::default_extra_rss_bytes() {
  const char* mib = std::getenv("GLANCE_TEST_EXTRA_RSS_MB");
  return (mib ? std::stoul(mib) : 16) << 20;
}

size_t accepted_connections(pid_t pid, int port) {
  std::set<std::string> inodes;
  add_accepted_inodes(pid, "tcp", port, inodes);
  add_accepted_inodes(pid, "tcp6", port, inodes);
  size_t held = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc_path(pid, "fd"), ec), end; !ec && it != end;
       it.increment(ec)) {
    auto target = std::filesystem::read_symlink(it->path(), ec).string();
    // "socket:[12345]"
    if (!ec && target.starts_with("socket:[") &&
        inodes.contains(target.substr(8, target.size() - 9)))
      ++held;
    ec.clear();
  }
  return held;
}

bool answers_healthcheck(const Daemon& daemon) {
  try {
    return HttpClient(daemon.host(), daemon.port()).get("/healthcheck").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

void expect_recovered(Daemon& daemon, const ProcessHealth& baseline, const HealthProbe& probe,
                      RecoveryLimits limits) {
  if (int status = daemon.wait_exit(std::chrono::milliseconds(0)); status >= 0) {
    ADD_FAILURE() << "the daemon exited with status " << status
                  << " (128 + N: killed by signal N)\n"
                  << tail(daemon.log(), 4000);
    return;
  }
  EXPECT_TRUE(probe(daemon)) << "the daemon no longer answers as it should\n"
                             << tail(daemon.log(), 4000);
  ProcessHealth now;
  bool gone = false;
  auto within = [&] {
    try {
      now = ProcessHealth::snapshot(daemon.pid());
    } catch (const std::runtime_error&) {
      gone = true;
      return true;
    }
    return now.open_fds <= baseline.open_fds + limits.extra_fds &&
           now.threads <= baseline.threads + limits.extra_threads &&
           now.rss_bytes <= baseline.rss_bytes + limits.extra_rss_bytes;
  };
  if (eventually(within, limits.settle) && !gone) return;
  if (gone) {
    ADD_FAILURE() << "the daemon exited while settling, status "
                  << daemon.wait_exit(std::chrono::seconds(5)) << "\n"
                  << tail(daemon.log(), 4000);
    return;
  }
  EXPECT_LE(now.open_fds, baseline.open_fds + limits.extra_fds)
      << "descriptors did not come back: baseline " << baseline << "; now " << now;
  EXPECT_LE(now.threads, baseline.threads + limits.extra_threads)
      << "threads did not come back: baseline " << baseline << "; now " << now;
  EXPECT_LE(now.rss_bytes, baseline.rss_bytes + limits.extra_rss_bytes)
      << "memory did not come back: baseline " << baseline << "; now " << now;
}

}  // namespace glance::testing
