#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace glance::testing {

// One whole HTTP/1.1 message as the test proxies relay it: its bytes, head and
// Content-Length body, and where its head ends.
struct RelayedMessage {
  std::string bytes;
  size_t head_length = 0;
};

// The next message from the socket `fd`, keeping any bytes past it in `pending` for the next
// call; nullopt when the peer closes first. `head_only_body`: the answer to a HEAD, whose
// Content-Length announces no body.
std::optional<RelayedMessage> read_relayed_message(int fd, std::string& pending,
                                                   bool head_only_body);

}  // namespace glance::testing
