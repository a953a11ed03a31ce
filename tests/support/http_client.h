#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace glance::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  unsigned status = 0;
  HeaderList headers;
  std::string body;

  std::optional<std::string> header(const std::string& name) const;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// One field of a JSON response body, by value (safe to iterate over in a range-for).
inline nlohmann::json json_field(const HttpResponse& r, const std::string& key) {
  return r.json()[key];
}

// A small blocking HTTP/1.1 client for tests: one connection per request, real sockets, to
// a daemon on 127.0.0.1 or on the loopback address `host` (as scale-out nodes listen).
class HttpClient {
 public:
  explicit HttpClient(int port, HeaderList default_headers = {})
      : HttpClient("127.0.0.1", port, std::move(default_headers)) {}
  HttpClient(std::string host, int port, HeaderList default_headers = {})
      : host_(std::move(host)), port_(port), default_headers_(std::move(default_headers)) {}

  // Sends the request; with `chunked` the body goes out in chunks without Content-Length.
  HttpResponse request(const std::string& method, const std::string& target,
                       const HeaderList& headers = {}, const std::string& body = "",
                       bool chunked = false) const;

  HttpResponse get(const std::string& target, const HeaderList& h = {}) const {
    return request("GET", target, h);
  }
  HttpResponse head(const std::string& target, const HeaderList& h = {}) const {
    return request("HEAD", target, h);
  }
  HttpResponse post(const std::string& target, const std::string& body,
                    const HeaderList& h = {}) const {
    return request("POST", target, h, body);
  }
  HttpResponse put(const std::string& target, const std::string& body,
                   const HeaderList& h = {}) const {
    return request("PUT", target, h, body);
  }
  HttpResponse del(const std::string& target, const HeaderList& h = {}) const {
    return request("DELETE", target, h);
  }

  // Writes raw bytes and returns whatever the server answers before closing (or timeout).
  std::string raw(const std::string& bytes) const;
  // Writes raw bytes and closes the connection at once: a client gone mid-request.
  void raw_then_close(const std::string& bytes) const;

 private:
  std::string host_;
  int port_;
  HeaderList default_headers_;
};

}  // namespace glance::testing
