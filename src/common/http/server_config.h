#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace glance::common::http {

// Listener and session limits. Defaults are Glance's (spec §0.1) unless noted.
struct ServerConfig {
  std::string bind_host = "0.0.0.0";
  uint16_t bind_port = 0;  // 0: an ephemeral port, logged once bound
  int backlog = 4096;
  // Threads running the io_context; Glance's `workers` (CPUs, capped at 8).
  int workers = 1;
  bool http_keepalive = true;
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
};

}  // namespace glance::common::http
