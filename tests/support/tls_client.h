#pragma once

#include "tests/support/http_client.h"

#include <chrono>
#include <memory>
#include <string>

namespace glance::testing {

// What a test TLS client trusts and shows: the server is verified against `ca_file` (host
// 127.0.0.1); with `cert_file` and `key_file` it presents a client certificate.
struct TlsClientFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

// One TLS 1.2+ connection to 127.0.0.1:`port`, blocking, every read and write bounded by a
// timeout. The server's certificate must name 127.0.0.1.
// The constructor connects and completes the handshake, or throws std::runtime_error saying
// why (refused certificate, closed connection, timeout).
class TlsConnection {
 public:
  TlsConnection(int port, const TlsClientFiles& files,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Sends everything; false once the connection failed.
  bool send(const std::string& bytes);
  // Reads until `max_bytes` arrived, the server closed, or the timeout passed.
  std::string read(size_t max_bytes);
  // The subject of the certificate the server presented, one line ("CN=...").
  std::string peer_subject() const;
  // Closes the TCP connection with a reset, without a TLS close_notify: a client gone.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// HttpClient's requests over TLS: one connection per request.
class HttpsClient {
 public:
  HttpsClient(int port, TlsClientFiles files) : port_(port), files_(std::move(files)) {}
  // Throws std::runtime_error when the connection or the handshake fails, or the answer is
  // not HTTP.
  HttpResponse request(const std::string& method, const std::string& target,
                       const HeaderList& headers = {}, const std::string& body = "") const;
  HttpResponse get(const std::string& target, const HeaderList& h = {}) const {
    return request("GET", target, h);
  }

 private:
  int port_;
  TlsClientFiles files_;
};

}  // namespace glance::testing
