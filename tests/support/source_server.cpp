#include "tests/support/source_server.h"

#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace glance::testing {

namespace {
void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string status_line(int code) {
  const char* reason = code == 200   ? "OK"
                       : code == 206 ? "Partial Content"
                       : code == 302 ? "Found"
                       : code == 404 ? "Not Found"
                                     : "Status";
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
}

void answer(int fd, int code, const std::string& headers, std::string_view body, bool head,
            bool keep_alive = false) {
  std::string out =
      status_line(code) + headers + (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
  send_all(fd, out);
  if (!head) send_all(fd, body);
}
}  // namespace

SourceServer::SourceServer(const std::string& address) : address_(address) {
  in_addr ip{};
  if (::inet_pton(AF_INET, address.c_str(), &ip) != 1)
    throw std::runtime_error("source server: not an IPv4 address: " + address);
  listen_fd_ = listen_ephemeral(address, &port_);
  if (listen_fd_ < 0) throw std::runtime_error("source server cannot listen");
  acceptor_ = std::thread([this] { accept_loop(); });
}

SourceServer::~SourceServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  for (auto& t : workers_) t.join();
}

std::string SourceServer::url(const std::string& path) const {
  return "http://" + address_ + ":" + std::to_string(port_) + path;
}

void SourceServer::put(const std::string& name, std::string body) {
  std::lock_guard lock(mutex_);
  objects_[name] = std::move(body);
}

size_t SourceServer::hits(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

std::string SourceServer::object(const std::string& name, bool* found) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  *found = it != objects_.end();
  return *found ? it->second : std::string();
}

void SourceServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    ++open_connections_;
    workers_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
      --open_connections_;
    });
  }
}

void SourceServer::serve(int fd) {
  std::string received;
  char buf[4096];
  for (;;) {
    size_t end;
    while ((end = received.find("\r\n\r\n")) == std::string::npos && received.size() < 65536) {
      // A kept-alive connection may stay idle until the server stops.
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) == 0) {
        if (stopping_) return;
        continue;
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      received.append(buf, static_cast<size_t>(n));
    }
    if (end == std::string::npos) return;
    // Requests to a source carry no body.
    const std::string request = received.substr(0, end + 4);
    received.erase(0, end + 4);
    if (!answer_request(fd, request)) return;
  }
}

bool SourceServer::answer_request(int fd, const std::string& request) {
  std::istringstream lines(request);
  std::string method, path, version;
  lines >> method >> path >> version;
  std::string range;
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 6 && strncasecmp(line.c_str(), "range:", 6) == 0) {
      range = line.substr(6);
      while (!range.empty() && (range.front() == ' ')) range.erase(0, 1);
      while (!range.empty() && (range.back() == '\r' || range.back() == ' ')) range.pop_back();
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++hits_[path];
  }
  const bool head = method == "HEAD";
  bool found = false;
  if (path.starts_with("/keepalive/")) {
    auto body = object(path.substr(10), &found);
    answer(fd, found ? 200 : 404, "Content-Length: " + std::to_string(body.size()) + "\r\n", body,
           head, found);
    return found;
  }
  [&] {
    if (path.starts_with("/goto/")) {
      answer(fd, 302, "Location: " + path.substr(6) + "\r\nContent-Length: 0\r\n", "", head);
    } else if (path.starts_with("/redirect/")) {
      auto rest = path.substr(10);
      auto slash = rest.find('/');
      int n = std::stoi(rest.substr(0, slash));
      std::string name = rest.substr(slash);
      std::string next = n == 0 ? name : "/redirect/" + std::to_string(n - 1) + name;
      answer(fd, 302, "Location: " + next + "\r\nContent-Length: 0\r\n", "", head);
    } else if (path.starts_with("/status/")) {
      answer(fd, std::stoi(path.substr(8)), "Content-Length: 0\r\n", "", head);
    } else if (path.starts_with("/nolength/")) {
      auto body = object(path.substr(9), &found);
      if (!found) return answer(fd, 404, "Content-Length: 0\r\n", "", head);
      answer(fd, 200, "", body, head);
    } else if (path.starts_with("/cut/")) {
      auto body = object(path.substr(4), &found);
      if (!found) return answer(fd, 404, "Content-Length: 0\r\n", "", head);
      std::string headers = "Content-Length: " + std::to_string(body.size()) + "\r\n";
      answer(fd, 200, headers, std::string_view(body).substr(0, body.size() / 2), head);
    } else {
      auto body = object(path, &found);
      if (!found) return answer(fd, 404, "Content-Length: 0\r\n", "", head);
      unsigned long long first = 0, last = 0;
      if (!range.empty() && std::sscanf(range.c_str(), "bytes=%llu-%llu", &first, &last) == 2 &&
          first <= last && last < body.size()) {
        std::string headers = "Content-Length: " + std::to_string(last - first + 1) +
                              "\r\nContent-Range: bytes " + std::to_string(first) + "-" +
                              std::to_string(last) + "/" + std::to_string(body.size()) + "\r\n";
        return answer(fd, 206, headers, std::string_view(body).substr(first, last - first + 1),
                      head);
      }
      answer(fd, 200, "Content-Length: " + std::to_string(body.size()) + "\r\n", body, head);
    }
  }();
  return false;
}

}  // namespace glance::testing
