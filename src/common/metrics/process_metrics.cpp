#include "common/metrics/process_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace glance::common::metrics {

namespace {

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n - 1;  // the iterator's own descriptor
}

double max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<double>(limit.rlim_cur);
}

// Fields of /proc/self/stat after the command name (which may hold spaces): field 14 utime,
// 15 stime, 22 starttime (clock ticks after boot), 23 vsize (bytes), 24 rss (pages).
struct ProcStat {
  double cpu_seconds = 0;
  double start_ticks = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

ProcStat read_stat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  ProcStat s;
  auto close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) s.cpu_seconds += std::stod(f) / ticks;
    if (i == 22) s.start_ticks = std::stod(f);
    if (i == 23) s.virtual_bytes = std::stod(f);
    if (i == 24) {
      s.resident_bytes = std::stod(f) * page;
      break;
    }
  }
  return s;
}

double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

prometheus::Gauge& gauge(Metrics& m, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(m.registry()).Add({});
}

}  // namespace

void add_process_metrics(Metrics& metrics) {
  auto& fds = gauge(metrics, "process_open_fds", "Number of open file descriptors.");
  auto& max = gauge(metrics, "process_max_fds", "Maximum number of open file descriptors.");
  auto& rss = gauge(metrics, "process_resident_memory_bytes", "Resident memory size in bytes.");
  auto& vsize = gauge(metrics, "process_virtual_memory_bytes", "Virtual memory size in bytes.");
  auto& start = gauge(metrics, "process_start_time_seconds",
                      "Start time of the process since the Unix epoch in seconds.");
  auto& cpu = prometheus::BuildCounter()
                  .Name("process_cpu_seconds_total")
                  .Help("Total user and system CPU time spent in seconds.")
                  .Register(metrics.registry())
                  .Add({});
  const ProcStat at_start = read_stat();
  start.Set(boot_time() + at_start.start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK)));
  metrics.on_scrape([&fds, &max, &rss, &vsize, &cpu] {
    const ProcStat now = read_stat();
    fds.Set(open_fds());
    max.Set(max_fds());
    rss.Set(now.resident_bytes);
    vsize.Set(now.virtual_bytes);
    // A counter only grows: add what was spent since the last scrape.
    if (now.cpu_seconds > cpu.Value()) cpu.Increment(now.cpu_seconds - cpu.Value());
  });
}

}  // namespace glance::common::metrics
