#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {

// A small HTTP/1.1 server on an ephemeral loopback port that serves image sources for
// x-image-meta-location and copy_from tests. Every answer closes its connection. Paths:
//   /<name>                 the object: 200 with Content-Length, 206 for one "bytes=a-b" Range
//   /redirect/<n>/<name>    302 to /redirect/<n-1>/<name>; /redirect/0/<name> to /<name>
//   /nolength/<name>        200 without Content-Length, the body ends with the connection
//   /cut/<name>             announces the whole object but closes after half of it
//   /status/<code>          that status, empty body
// HEAD answers the same headers without a body. Anything else is 404.
class SourceServer {
 public:
  SourceServer();
  ~SourceServer();
  SourceServer(const SourceServer&) = delete;
  SourceServer& operator=(const SourceServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string url(const std::string& path) const;
  void put(const std::string& name, std::string body);
  // Requests seen for `path` (any method).
  size_t hits(const std::string& path) const;

 private:
  void accept_loop();
  void serve(int fd);
  std::string object(const std::string& name, bool* found) const;

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, size_t> hits_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace glance::testing
