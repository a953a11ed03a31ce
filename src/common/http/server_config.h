#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace glance::common::http {

// TLS on the listening socket: Glance's cert_file, key_file and ca_file. Plain HTTP when
// cert_file is empty; load_server_config refuses one of cert_file and key_file without the
// other, and ca_file without both.
struct ServerTls {
  std::string cert_file;  // PEM: the server's certificate first, then its intermediates
  std::string key_file;   // PEM: the private key of that certificate
  std::string ca_file;    // set: every client must present a certificate signed by these CAs
  bool enabled() const { return !cert_file.empty(); }
};

// Listener and session limits. Defaults are Glance's unless noted.
struct ServerConfig {
  std::string bind_host = "0.0.0.0";
  uint16_t bind_port = 0;  // 0: an ephemeral port, logged once bound
  int backlog = 4096;
  // Threads running the io_context; Glance's `workers` (CPUs, capped at 8).
  int workers = 1;
  bool http_keepalive = true;
  // Whether the daemon answers GET /metrics (Prometheus' text format, no authentication, like
  // /healthcheck). Read by the daemon, which adds the route; the server itself ignores it.
  bool expose_metrics = true;
  std::chrono::seconds client_socket_timeout{900};
  // Glance bounds each header line to 16 KiB; Beast bounds the whole header block, so allow
  // a few such lines.
  uint32_t max_header_line = 16384;
  // Open client connections at once; past it a new connection is answered 503 with
  // Retry-After and closed. Upstream serves each worker from a fixed pool of 1,000
  // greenthreads without an option; one process here serves what upstream's workers did.
  size_t max_connections = 4096;
  // Small (JSON) request bodies are read whole; image bodies are streamed and not bound here.
  uint64_t max_buffered_body = 1 << 20;
  // How long SIGTERM waits for in-flight requests before the process exits anyway; 0 waits
  // for as long as they take (oslo.service's graceful_shutdown_timeout).
  std::chrono::seconds shutdown_grace{60};
  ServerTls tls;
};

}  // namespace glance::common::http
