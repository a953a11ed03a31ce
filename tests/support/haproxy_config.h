#pragma once

#include <string>
#include <vector>

namespace glance::testing {

// A server of a backend: a daemon on a loopback address.
struct HaproxyServer {
  std::string host = "127.0.0.1";
  int port = 0;
};

// One HAProxy frontend and the backend it balances over: `servers`, each health-checked with
// GET /healthcheck (both glance daemons serve it).
struct HaproxyFrontend {
  std::string name;    // also names its backend ("<name>_nodes") and servers ("<name>1", ...)
  int listen_fd = -1;  // a listening socket HAProxy inherits (bind fd@N)
  std::vector<HaproxyServer> servers;
};

// The text of an haproxy.cfg for `frontends`, plus a stats frontend on `stats_fd` that serves
// GET /stats;csv. Every frontend takes an inherited socket, so the test binds the ports (port
// 0) and never hands HAProxy a port that another process could take first. The options are
// the ones docs/topology.md shows: health checks every 500 ms, a server out after two failed
// checks and back after two good ones, a refused connection retried on another server, and
// server connections closed after each answer.
std::string haproxy_config(const std::vector<HaproxyFrontend>& frontends, int stats_fd);

// The name HAProxy's stats give server `index` (0-based) of `frontend`.
std::string haproxy_server_name(const std::string& frontend, size_t index);
std::string haproxy_backend_name(const std::string& frontend);

}  // namespace glance::testing
