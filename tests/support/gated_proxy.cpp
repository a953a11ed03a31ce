#include "tests/support/gated_proxy.h"

#include "tests/support/relayed_message.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace glance::testing {

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
    auto relayed = read_relayed_message(client, from_client, false);
    if (!relayed || !send_all(server, relayed->bytes)) break;
    const std::string& request = relayed->bytes;
    auto response = read_relayed_message(server, from_server, request.starts_with("HEAD "));
    if (!response) break;
    bool gated = false;
    size_t upto = 0;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(request.substr(0, request.find("\r\n")));
      if (gate_ == Gate::armed && request.find(pattern_) != std::string::npos) {
        gated = true;
        upto = std::min(response->bytes.size(), response->head_length + hold_after_);
      }
    }
    const std::string& bytes = response->bytes;
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
