#pragma once

#include "common/error.h"
#include "common/http/response.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace glance::store {

// Where a store keeps one image's data, as the registry records it ("file:///var/...").
struct Location {
  std::string uri;
  // The text before "://", or empty when there is none.
  std::string scheme() const;
};

// What a finished write produced: the location to record, the byte count, the MD5 hex
// (Glance's checksum) and the SHA-256 hex (Glance v2's os_hash_value).
struct StoredImage {
  Location location;
  uint64_t size = 0;
  std::string checksum;
  std::string sha256;
};

// Receives one image's data. write() hashes as it writes, possibly on another thread: the
// bytes passed to write() must stay valid and unchanged until the next write(), commit() or
// the writer's destructor returns (so a caller alternates two buffers that outlive it). Destroying
// a writer before commit() deletes the partial data, so every failure path only has to drop it. Not
// thread-safe.
class ImageWriter {
 public:
  virtual ~ImageWriter() = default;
  // Errors: storage_full (disk full, partial data removed), unavailable (write permission
  // denied), internal (other I/O failures).
  virtual common::Result<void> write(std::span<const char> data) = 0;
  // Makes the data durable and visible under its final location. Fails with conflict when
  // the image got data meanwhile (another upload won). After a failure nothing is left.
  virtual common::Result<StoredImage> commit() = 0;
};

// A body the HTTP layer can send: a file range (sendfile) or a stream.
using ImageBody = std::variant<common::http::FileRange, common::http::StreamBody>;

// One opened image. Not thread-safe.
class ImageReader {
 public:
  virtual ~ImageReader() = default;
  virtual uint64_t size() const = 0;
  // Hands the data over as a response body; the reader is spent afterwards.
  virtual ImageBody take_body() = 0;
};

// Stores image bits. One instance serves all sessions; safe for concurrent calls.
// Errors common to all calls: bad_request for a location this store cannot parse.
class Store {
 public:
  virtual ~Store() = default;
  // The location schemes this store serves, e.g. {"file", "filesystem"}.
  virtual std::vector<std::string> schemes() const = 0;
  // Starts writing data for image `id`. Fails with conflict if `id` already has data here.
  virtual common::Result<std::unique_ptr<ImageWriter>> begin_add(const std::string& id) = 0;
  // Fails with not_found when there is no data at `where`.
  virtual common::Result<std::unique_ptr<ImageReader>> open(const Location& where) = 0;
  virtual common::Result<uint64_t> size(const Location& where) = 0;
  // Fails with not_found when there is no data at `where`; forbidden when it cannot be removed.
  virtual common::Result<void> remove(const Location& where) = 0;
};

}  // namespace glance::store
