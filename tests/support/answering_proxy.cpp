#include "tests/support/answering_proxy.h"

#include "tests/support/relayed_message.h"

#include <algorithm>
#include <cctype>

namespace glance::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// `message` without its header lines named `name` (case-insensitively).
std::string without_header(const RelayedMessage& message, const std::string& name) {
  const std::string head = message.bytes.substr(0, message.head_length);
  const std::string wanted = "\r\n" + lower(name) + ":";
  std::string kept;
  size_t at = 0;
  for (size_t next; (next = head.find("\r\n", at + 1)) != std::string::npos; at = next) {
    const std::string line = head.substr(at, next - at);  // "\r\nName: value", or the status
    if (at == 0 || !lower(line).starts_with(wanted)) kept += line;
  }
  return kept + head.substr(at) + message.bytes.substr(message.head_length);
}

}  // namespace

AnsweringProxy::AnsweringProxy(int upstream_port)
    : relay_(
          upstream_port, [this](int client, int server) { relay_messages(client, server); },
          "answering proxy") {}

void AnsweringProxy::answer(std::string prefix, std::string response) {
  set({Mode::answer, std::move(prefix), std::move(response)});
}

void AnsweringProxy::strip_header(std::string prefix, std::string header) {
  set({Mode::strip_header, std::move(prefix), std::move(header)});
}

void AnsweringProxy::pass() {
  set({});
}

void AnsweringProxy::set(Rule rule) {
  std::lock_guard lock(mutex_);
  rule_ = std::move(rule);
}

int AnsweringProxy::requests_starting(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  return static_cast<int>(
      std::count_if(request_lines_.begin(), request_lines_.end(),
                    [&](const std::string& l) { return l.starts_with(prefix); }));
}

void AnsweringProxy::relay_messages(int client, int server) {
  std::string from_client, from_server;
  while (!relay_.stopping()) {
    auto request = read_relayed_message(client, from_client, false);
    if (!request) break;
    const std::string line = request->bytes.substr(0, request->bytes.find("\r\n"));
    Rule rule;
    {
      std::lock_guard lock(mutex_);
      request_lines_.push_back(line);
      rule = rule_;
    }
    const bool matches = rule.mode != Mode::pass && line.starts_with(rule.prefix);
    if (matches && rule.mode == Mode::answer) {
      ++meddled_;
      if (!send_all(client, rule.text)) break;
      continue;
    }
    if (!send_all(server, request->bytes)) break;
    auto response = read_relayed_message(server, from_server, line.starts_with("HEAD "));
    if (!response) break;
    if (matches) {
      ++meddled_;
      if (!send_all(client, without_header(*response, rule.text))) break;
    } else if (!send_all(client, response->bytes)) {
      break;
    }
  }
}

std::string json_response(int status, const std::string& reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace glance::testing
