#include "tests/support/switchable_relay.h"

#include <poll.h>
#include <sys/socket.h>

namespace glance::testing {

SwitchableRelay::SwitchableRelay(int upstream_port)
    : relay_(
          upstream_port,
          [this](int client, int server) {
            if (open_) pump(client, server);
          },
          "switchable relay") {}

void SwitchableRelay::pump(int client, int server) {
  char buf[65536];
  while (!relay_.stopping()) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    // A bounded wait, so that stopping() is seen.
    int ready = ::poll(fds, 2, 200);
    if (ready < 0) return;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      if (!send_all(i == 0 ? server : client, buf, static_cast<size_t>(n))) return;
    }
  }
}

}  // namespace glance::testing
