#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {

// A small HTTP/1.1 server on an ephemeral loopback port that serves image sources for
// x-image-meta-location and copy_from tests. Every answer closes its connection, except
// those under /keepalive/. Paths:
//   /<name>                 the object: 200 with Content-Length, 206 for one "bytes=a-b" Range
//   /keepalive/<name>       the same, keeping the connection open for the next request
//   /redirect/<n>/<name>    302 to /redirect/<n-1>/<name>; /redirect/0/<name> to /<name>
//   /goto/<absolute URL>    302 to that URL
//   /nolength/<name>        200 without Content-Length, the body ends with the connection
//   /cut/<name>             announces the whole object but closes after half of it
//   /status/<code>          that status, empty body
// HEAD answers the same headers without a body. Anything else is 404.
class SourceServer {
 public:
  // Listens on `address`, an IPv4 loopback address.
  explicit SourceServer(const std::string& address = "127.0.0.1");
  ~SourceServer();
  SourceServer(const SourceServer&) = delete;
  SourceServer& operator=(const SourceServer&) = delete;

  int port() const { return port_; }
  // "http://<address>:<port><path>"
  std::string url(const std::string& path) const;
  void put(const std::string& name, std::string body);
  // Requests seen for `path` (any method).
  size_t hits(const std::string& path) const;
  // Connections accepted and not yet closed by either side.
  size_t open_connections() const { return open_connections_; }

 private:
  void accept_loop();
  void serve(int fd);
  // Answers one request; false when the connection is to be closed.
  bool answer_request(int fd, const std::string& request);
  std::string object(const std::string& name, bool* found) const;

  std::string address_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_connections_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, size_t> hits_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace glance::testing
