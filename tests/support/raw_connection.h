#pragma once

#include <chrono>
#include <string>

namespace glance::testing {

// One client TCP connection to 127.0.0.1 (or another loopback address) driven byte by byte, for
// tests that misbehave on purpose: half-sent requests, resets, clients that stop reading. Every
// read is bounded by a timeout, and every send by 30 s, so a server that hangs fails the test
// instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(int port) : RawConnection("127.0.0.1", port) {}
  RawConnection(const std::string& host, int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends everything; false once the server closed or reset the connection, or stopped reading
  // for 30 s.
  bool send(const std::string& bytes);
  // Reads until the server closes, `max_bytes` arrived, or `timeout` passed without data.
  std::string read(size_t max_bytes = 1 << 20,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server closed (or reset) the connection within `timeout`.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Half-closes: the server sees the end of the request stream.
  void shutdown_write();
  // Closes with SO_LINGER {1, 0}: the server sees a reset, as when a client is killed.
  void reset();
  // Shrinks the receive buffer, so that a client that stops reading stops the server soon.
  void set_receive_buffer(int bytes);

 private:
  int fd_ = -1;
};

// A blocking TCP socket connected to `host`:`port` (an IPv4 address), or -1 (nothing left
// open) when the connection fails.
int connect_loopback(int port, const std::string& host = "127.0.0.1");

// A TCP socket (close-on-exec) listening on `address`, an IPv4 address, at a port the kernel
// picks, which is stored in `*port`; -1 (nothing left open) when that fails.
int listen_ephemeral(const std::string& address, int* port);

// How many times an HTTP/1.x status line starts in `bytes`: the number of answers a server
// sent on one connection.
size_t count_responses(const std::string& bytes);

}  // namespace glance::testing
