#include "tests/support/gated_proxy.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace glance::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One whole message from `fd` and the length of its head, keeping any excess in `pending`;
// nullopt when the peer closes first.
std::optional<std::pair<std::string, size_t>> read_message(int fd, std::string& pending,
                                                           bool head_only_body) {
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
  return std::pair{std::move(message), head_end};
}

}  // namespace

GatedProxy::GatedProxy(int upstream_port)
    : relay_(
          upstream_port, [this](int client, int server) { relay_messages(client, server); },
          "gated proxy") {}

GatedProxy::~GatedProxy() {
  cut();
}

void GatedProxy::hold(std::string pattern, size_t bytes) {
  std::lock_guard lock(mutex_);
  pattern_ = std::move(pattern);
  hold_after_ = bytes;
  gate_ = Gate::armed;
}

bool GatedProxy::wait_held() {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return gate_ == Gate::holding; });
}

void GatedProxy::release() {
  std::lock_guard lock(mutex_);
  if (gate_ == Gate::holding || gate_ == Gate::armed) gate_ = Gate::open;
  changed_.notify_all();
}

void GatedProxy::cut() {
  std::lock_guard lock(mutex_);
  if (gate_ == Gate::holding || gate_ == Gate::armed) gate_ = Gate::cut;
  changed_.notify_all();
}

int GatedProxy::requests_starting(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(
      std::count_if(request_lines_.begin(), request_lines_.end(),
                    [&](const std::string& l) { return l.starts_with(prefix); }));
}

bool GatedProxy::pass_gate() {
  std::unique_lock lock(mutex_);
  gate_ = Gate::holding;
  changed_.notify_all();
  changed_.wait(lock, [&] { return gate_ != Gate::holding; });
  return gate_ == Gate::open;
}

void GatedProxy::relay_messages(int client, int server) {
  std::string from_client, from_server;
  while (!relay_.stopping()) {
    auto request = read_message(client, from_client, false);
    if (!request || !send_all(server, request->first)) break;
    const bool head = request->first.starts_with("HEAD ");
    auto response = read_message(server, from_server, head);
    if (!response) break;
    bool gated = false;
    size_t upto = 0;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(request->first.substr(0, request->first.find("\r\n")));
      if (gate_ == Gate::armed && request->first.find(pattern_) != std::string::npos) {
        gated = true;
        upto = std::min(response->first.size(), response->second + hold_after_);
      }
    }
    const std::string& bytes = response->first;
    if (!gated) {
      if (!send_all(client, bytes)) break;
      continue;
    }
    if (!send_all(client, bytes.data(), upto)) break;
    if (!pass_gate()) {
      reset_on_close(client);
      break;
    }
    if (!send_all(client, bytes.data() + upto, bytes.size() - upto)) break;
  }
}

}  // namespace glance::testing
