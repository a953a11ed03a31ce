#include "tests/support/haproxy_config.h"

namespace glance::testing {

std::string haproxy_server_name(const std::string& frontend, size_t index) {
  return frontend + std::to_string(index + 1);
}

std::string haproxy_backend_name(const std::string& frontend) {
  return frontend + "_nodes";
}

std::string haproxy_config(const std::vector<HaproxyFrontend>& frontends, int stats_fd) {
  std::string c =
      "global\n"
      "  maxconn 1024\n"
      "defaults\n"
      "  mode http\n"
      "  timeout connect 2s\n"
      "  timeout client 120s\n"
      "  timeout server 120s\n"
      "  option redispatch\n"
      "  retries 2\n"
      "  option http-server-close\n"
      "frontend stats\n"
      "  bind fd@" +
      std::to_string(stats_fd) +
      "\n"
      "  stats enable\n"
      "  stats uri /stats\n";
  for (const auto& f : frontends) {
    std::string backend = haproxy_backend_name(f.name);
    c += "frontend " + f.name + "\n  bind fd@" + std::to_string(f.listen_fd) +
         "\n  default_backend " + backend + "\n";
    c += "backend " + backend +
         "\n  option httpchk GET /healthcheck\n"
         "  default-server inter 500ms fall 2 rise 2\n";
    for (size_t i = 0; i < f.servers.size(); ++i)
      c += "  server " + haproxy_server_name(f.name, i) + " " + f.servers[i].host + ":" +
           std::to_string(f.servers[i].port) + " check\n";
  }
  return c;
}

}  // namespace glance::testing
