#include "tests/support/cutting_proxy.h"

#include "tests/support/relayed_message.h"

#include <algorithm>
#include <optional>

namespace glance::testing {

CuttingProxy::CuttingProxy(int upstream_port, std::string pattern)
    : pattern_(std::move(pattern)),
      relay_(
          upstream_port, [this](int client, int server) { relay_messages(client, server); },
          "cutting proxy") {}

int CuttingProxy::requests_starting(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(
      std::count_if(request_lines_.begin(), request_lines_.end(),
                    [&](const std::string& l) { return l.starts_with(prefix); }));
}

void CuttingProxy::relay_messages(int client, int server) {
  std::string from_client, from_server;
  while (!relay_.stopping()) {
    auto relayed = read_relayed_message(client, from_client, false);
    if (!relayed || !send_all(server, relayed->bytes)) break;
    const std::string& request = relayed->bytes;
    auto response = read_relayed_message(server, from_server, request.starts_with("HEAD "));
    if (!response) break;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(request.substr(0, request.find("\r\n")));
    }
    if (request.find(pattern_) != std::string::npos && cuts_.load() == 0) {
      ++cuts_;
      // The client sees its connection reset.
      reset_on_close(client);
      break;
    }
    if (!send_all(client, response->bytes)) break;
  }
}

}  // namespace glance::testing
