#pragma once

#include "common/error.h"
#include "common/http/address_check.h"
#include "common/http/response.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace glance::store {

template <class T>
using Task = boost::asio::awaitable<common::Result<T>>;

// Where a store keeps one image's data, as the registry records it ("file:///var/...",
// "swift+https://...", "s3://..."). May carry credentials: log it through
// common::redact_credentials only.
struct Location {
  std::string uri;
  // The text before "://", lower-cased, or empty when there is none.
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

// Consulted for every address a store is about to connect to on behalf of a location a client
// chose (copy_from, x-image-meta-location), so a host name cannot resolve its way around the
// api's source policy. An error refuses the connection and is the call's answer.
using AddressCheck = common::http::AddressCheck;

// A part of an image: `length` bytes from `offset`.
struct ByteSpan {
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct ReadOptions {
  // Only these bytes, when set; the api has checked the span against the image size.
  std::optional<ByteSpan> span;
  // All empty when the location was the operator's or the api's own. check_address vets the
  // addresses of the location's host; check_uri each redirect target, and
  // check_redirect_address (check_address when empty) the addresses of its host, since where
  // a redirect leads is the source server's choice, not the one the api vetted.
  AddressCheck check_address;
  std::function<common::Result<void>(std::string_view uri)> check_uri;
  AddressCheck check_redirect_address;
};

// Receives one image's data. write() hashes as it writes, possibly on other threads: the bytes
// passed to write() must stay valid and unchanged until the next write(), commit() or abort()
// completes (so a caller alternates two buffers that outlive the writer). Not thread-safe.
class ImageWriter {
 public:
  // A writer destroyed before commit() or abort() drops what it can without waiting (the file
  // store unlinks its temporary file); remote stores need abort() to clean up.
  virtual ~ImageWriter() = default;
  // Errors: storage_full (no room left), unavailable (store unreachable or refusing writes),
  // internal (anything else). After an error only abort() is useful.
  virtual Task<void> write(std::span<const char> data) = 0;
  // Makes the data durable and visible under its final location. Fails with conflict when
  // the image got data meanwhile (another upload won). After a failure nothing is left.
  virtual Task<StoredImage> commit() = 0;
  // Removes every byte written so far (temporary files, segments, multipart parts). Never
  // fails: what it cannot remove it logs.
  virtual boost::asio::awaitable<void> abort() = 0;
};

// A body the HTTP layer can send: a file range (sendfile) or a stream.
using ImageBody = std::variant<common::http::FileRange, common::http::StreamBody>;

// One opened image. Not thread-safe.
class ImageReader {
 public:
  virtual ~ImageReader() = default;
  // The bytes the body will carry (the span's length when one was asked for); unset when the
  // source did not say (an http location without Content-Length).
  virtual std::optional<uint64_t> size() const = 0;
  // Hands the data over as a response body; the reader is spent afterwards.
  virtual ImageBody take_body() = 0;
};

// Stores image bits. One instance serves all sessions; safe for concurrent calls.
// Errors common to all calls: bad_request for a location this store cannot parse,
// unavailable when the store's server cannot be reached, bad_gateway when it refuses our
// credentials.
class Store {
 public:
  virtual ~Store() = default;
  // The location schemes this store serves, e.g. {"file", "filesystem"}.
  virtual std::vector<std::string> schemes() const = 0;
  // False for read-only drivers (http): begin_add and remove then fail with gone/forbidden.
  virtual bool writable() const { return true; }
  // Starts writing data for image `id`; `declared_size` is 0 when unknown. Fails with conflict
  // if `id` already has data here.
  virtual Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                                       uint64_t declared_size) = 0;
  // Fails with not_found when there is no data at `where`.
  virtual Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                                  const ReadOptions& options) = 0;
  // 0 when the store cannot tell. Fails with not_found when there is no data at `where`.
  virtual Task<uint64_t> size(const Location& where, const ReadOptions& options) = 0;
  // Fails with not_found when there is no data at `where`; forbidden when it cannot be removed.
  virtual Task<void> remove(const Location& where) = 0;
  // Removes everything uploads of image `id` left here (objects, segments, manifests,
  // unfinished multipart uploads, partial files) except the data at `keep` when set: what an
  // upload whose process died could not clean up. Data of an upload still running goes too,
  // so call it only once no upload of `id` can become live any more (its image is killed or
  // deleted). Fails when the store cannot be listed or `keep` not read (then nothing is
  // removed); what it finds but cannot remove it logs. Stores that write nothing do nothing.
  virtual Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep);
  // The ids of the images (UUID-like, as the api accepts them) that have data here under their
  // own names: committed ("<id>") or written by an upload ("<id>-<tag>", upload_name.h), found
  // in one listing of the store. Among them the data of an upload that failed, or committed
  // and then failed to activate its image, and could not remove it (its store's server was
  // away, or its process stopped first). The caller picks those whose image can have no live
  // data (killed) for remove_leftovers. Fails when the store cannot be listed. Stores whose
  // data cannot be listed that way (or that write nothing) return none.
  virtual Task<std::vector<std::string>> image_ids_with_data();
  // Ends the driver's background work on its BlockingPool (retried removals), so that the pool
  // joins promptly at shutdown; what that work leaves is found by image_ids_with_data, in a
  // later pass of the orphan reaper or after the next start. Call before the pool joins; the
  // store still serves calls after it.
  virtual void stop_background_work() {}
};

}  // namespace glance::store
