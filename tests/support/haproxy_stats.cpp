#include "tests/support/haproxy_stats.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace glance::testing {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  return fields;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::runtime_error("HAProxy statistics without a " + name + " column");
}

}  // namespace

std::vector<HaproxyServerStats> parse_haproxy_stats(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line) || line.rfind("# ", 0) != 0)
    throw std::runtime_error("HAProxy statistics without a header line: " + csv.substr(0, 200));
  auto header = split(line.substr(2));
  const size_t px = column(header, "pxname"), sv = column(header, "svname"),
               status = column(header, "status"), stot = column(header, "stot");
  std::vector<HaproxyServerStats> out;
  while (std::getline(in, line)) {
    auto f = split(line);
    if (f.size() <= std::max({px, sv, status, stot})) continue;
    if (f[sv] == "FRONTEND" || f[sv] == "BACKEND") continue;
    out.push_back({f[px], f[sv], f[status], f[stot].empty() ? 0 : std::stoull(f[stot])});
  }
  return out;
}

std::optional<HaproxyServerStats> find_server(const std::vector<HaproxyServerStats>& stats,
                                              const std::string& backend,
                                              const std::string& server) {
  for (const auto& s : stats)
    if (s.backend == backend && s.server == server) return s;
  return std::nullopt;
}

}  // namespace glance::testing
