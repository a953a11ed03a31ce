#include "tests/support/cutting_proxy.h"

#include <sys/socket.h>

#include <algorithm>
#include <optional>

namespace glance::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One whole message (head and Content-Length body) from `fd`, keeping any excess in `pending`;
// nullopt when the peer closes first.
std::optional<std::string> read_message(int fd, std::string& pending, bool head_only_body) {
  char buf[16384];
  size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending.append(buf, static_cast<size_t>(n));
  }
  head_end += 4;
  size_t body = 0;
  std::string head = lower(pending.substr(0, head_end));
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos && !head_only_body)
    body = std::stoul(head.substr(at + 17));
  while (pending.size() < head_end + body) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    pending.append(buf, static_cast<size_t>(n));
  }
  std::string message = pending.substr(0, head_end + body);
  pending.erase(0, head_end + body);
  return message;
}

}  // namespace

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
    auto request = read_message(client, from_client, false);
    if (!request || !send_all(server, *request)) break;
    const bool head = request->starts_with("HEAD ");
    auto response = read_message(server, from_server, head);
    if (!response) break;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(request->substr(0, request->find("\r\n")));
    }
    if (request->find(pattern_) != std::string::npos && cuts_.load() == 0) {
      ++cuts_;
      // The client sees its connection reset.
      reset_on_close(client);
      break;
    }
    if (!send_all(client, *response)) break;
  }
}

}  // namespace glance::testing
