#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace glance::testing {

// One server's line of HAProxy's CSV statistics (GET /stats;csv).
struct HaproxyServerStats {
  std::string backend;    // pxname
  std::string server;     // svname
  std::string status;     // "UP", "DOWN", "UP 1/2" (going down), "DOWN 1/2" (coming up), ...
  uint64_t sessions = 0;  // stot: connections HAProxy sent to this server (checks excluded)
};

// The server lines of `csv` (the FRONTEND and BACKEND summary lines are left out). Columns are
// found by the names of the header line ("# pxname,svname,..."), so a release that adds
// columns parses alike. Throws std::runtime_error when the header lacks one of them.
std::vector<HaproxyServerStats> parse_haproxy_stats(const std::string& csv);

// The line of `server` in `backend`, if any.
std::optional<HaproxyServerStats> find_server(const std::vector<HaproxyServerStats>& stats,
                                              const std::string& backend,
                                              const std::string& server);

}  // namespace glance::testing
