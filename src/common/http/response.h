#pragma once

#include "common/error.h"
#include "common/http/body.h"
#include "common/http/headers.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace glance::common::http {

// A byte range of an open file, sent with sendfile(2) when the connection allows. Owns `fd`.
struct FileRange {
  FileRange(int fd, uint64_t offset, uint64_t length) : fd(fd), offset(offset), length(length) {}
  FileRange(FileRange&& o) noexcept : fd(o.fd), offset(o.offset), length(o.length) { o.fd = -1; }
  FileRange& operator=(FileRange&& o) noexcept;
  ~FileRange();
  int fd;
  uint64_t offset;
  uint64_t length;
};

// A body produced on the fly. Without a length it goes out chunked (HTTP/1.1) or delimited by
// closing the connection (HTTP/1.0).
struct StreamBody {
  std::unique_ptr<BodyReader> reader;
  std::optional<uint64_t> length;
  // The most the server asks of the reader at once, and so holds per answer in flight: image
  // bytes go in large pieces, a body rendered in small ones (a list page) needs no more.
  size_t piece_bytes = 256 * 1024;
};

// What a handler answers. Only the server turns it into bytes on the wire.
struct Response {
  unsigned status = 200;
  Headers headers;
  std::variant<std::string, FileRange, StreamBody> body;
  // For HEAD answers that describe a body they do not send.
  bool head_only = false;
  // Called by the server once the answer was written (or the write failed), with the body
  // bytes that went out; runs on the connection's thread and must not block.
  std::function<void(uint64_t body_bytes)> on_sent;

  static Response json(unsigned status, std::string body);
  static Response text(unsigned status, std::string body);
  static Response empty(unsigned status);
};

// How an error's text fills WebOb's template: the status's generic explanation, then the
// message (v1, the registry, the HTTP layer); or the message alone, as upstream's v2 raises
// its errors with explanation=message (an error without a message keeps the generic text).
enum class ErrorWording { generic_then_message, message_only };

// Renders an error the way Glance (WebOb) does, negotiating the format from `accept`.
Response to_response(const Error& error, std::string_view accept,
                     ErrorWording wording = ErrorWording::generic_then_message);

}  // namespace glance::common::http
