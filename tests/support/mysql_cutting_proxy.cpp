#include "tests/support/mysql_cutting_proxy.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

namespace glance::testing {

namespace {

// The length of the first whole packet in `bytes` (header included), or 0.
size_t whole_packet(const std::string& bytes) {
  if (bytes.size() < 4) return 0;
  auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  size_t length = 4 + (b(0) | b(1) << 8 | b(2) << 16);
  return bytes.size() >= length ? length : 0;
}

// COM_QUERY whose text is COMMIT, as libmysqlclient sends it for a plain "COMMIT".
bool is_commit(const std::string& packet) {
  constexpr char kComQuery = 0x03;
  if (packet.size() != 4 + 7 || packet[4] != kComQuery) return false;
  std::string text = packet.substr(5);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text == "commit";
}

// Waits for one whole packet from `fd` (the server's answer); false when it closes first.
bool await_answer(int fd) {
  std::string got;
  char buf[4096];
  while (whole_packet(got) == 0) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    got.append(buf, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

MysqlCuttingProxy::MysqlCuttingProxy(int upstream_port)
    : relay_(
          upstream_port, [this](int client, int server) { relay_packets(client, server); },
          "mysql cutting proxy") {}

void MysqlCuttingProxy::arm(Cut how) {
  armed_ = static_cast<int>(how);
}

bool MysqlCuttingProxy::cut_here(const std::string& packet, int client, int server) {
  if (!is_commit(packet)) return false;
  int how = armed_.exchange(-1);
  if (how < 0) {
    ++passed_;
    return false;
  }
  if (how == static_cast<int>(Cut::after_commit)) {
    // Only once the server has answered is the transaction known to be durable.
    if (!send_all(server, packet.data(), packet.size()) || !await_answer(server)) return true;
  }
  ++cuts_;
  reset_on_close(client);
  return true;
}

void MysqlCuttingProxy::relay_packets(int client, int server) {
  std::string from_client;
  char buf[16384];
  bool open = true;
  while (open && !relay_.stopping()) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 200) < 0) break;
    if (fds[1].revents) {
      ssize_t n = ::recv(server, buf, sizeof buf, 0);
      if (n <= 0 || !send_all(client, buf, static_cast<size_t>(n))) break;
    }
    if (fds[0].revents) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      from_client.append(buf, static_cast<size_t>(n));
      while (size_t length = whole_packet(from_client)) {
        std::string packet = from_client.substr(0, length);
        from_client.erase(0, length);
        if (cut_here(packet, client, server) || !send_all(server, packet.data(), packet.size())) {
          open = false;
          break;
        }
      }
    }
  }
}

}  // namespace glance::testing
