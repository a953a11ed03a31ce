#include "tests/support/relayed_message.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace glance::testing {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Appends what `fd` has to `pending`; false once the peer closed.
bool receive_more(int fd, std::string& pending) {
  char buf[16384];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  pending.append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

std::optional<RelayedMessage> read_relayed_message(int fd, std::string& pending,
                                                   bool head_only_body) {
  size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos)
    if (!receive_more(fd, pending)) return std::nullopt;
  head_end += 4;
  size_t body = 0;
  std::string head = lower(pending.substr(0, head_end));
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos && !head_only_body)
    body = std::stoul(head.substr(at + 17));
  while (pending.size() < head_end + body)
    if (!receive_more(fd, pending)) return std::nullopt;
  RelayedMessage message{pending.substr(0, head_end + body), head_end};
  pending.erase(0, head_end + body);
  return message;
}

}  // namespace glance::testing
