#include "common/systemd_notify.h"

#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace glance::common {

// The notify protocol is one datagram on an AF_UNIX socket, documented as a stable interface
// (sd_notify(3), "Notes"). Writing it here costs twenty lines and keeps libsystemd out of the
// build and out of the runtime image, where it would be one more shared library loaded only
// to send a few bytes.
bool notify_service_manager(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t length = std::strlen(path);
  if ((path[0] != '/' && path[0] != '@') || length >= sizeof addr.sun_path) {
    spdlog::warn("NOTIFY_SOCKET {} is not a usable socket address: not notifying", path);
    return false;
  }
  std::memcpy(addr.sun_path, path, length);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&addr), addr_len);
  int error = errno;
  ::close(fd);
  if (sent < 0) {
    spdlog::warn("cannot notify the service manager at {}: {}", path, std::strerror(error));
    return false;
  }
  spdlog::debug("notified the service manager: {}", state);
  return true;
}

}  // namespace glance::common
