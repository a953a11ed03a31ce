#pragma once

#include "store/blocking_pool.h"
#include "store/store.h"
#include "store/swift/swift_auth.h"
#include "store/swift/swift_location.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace glance::store {

// glance_store counts Swift sizes in a "mixed" megabyte of 1000 × 1024 bytes (its ONE_MB).
inline constexpr uint64_t kSwiftMegabyte = 1000 * 1024;

// The single-tenant Swift options of [glance_store], named there
// swift_store_<member>. Sizes are in bytes here; the config file gives them in kSwiftMegabyte.
struct SwiftStoreConfig {
  std::string auth_address;  // e.g. https://keystone:5000/v3 or http://proxy:8080/auth/v1.0
  // Upstream's default, Keystone v2.0, which Keystone no longer serves: choose 1 or 3.
  int auth_version = 2;
  std::string user;  // "account:user" for tempauth, "project:user" for Keystone
  std::string key;
  std::string container = "glance";
  // 0: one container. 1..32: images spread over <container>_<first N characters of the id>.
  int multiple_containers_seed = 0;
  bool create_container_on_put = false;
  // Images of a known size below this go up in one PUT; others as segments of chunk size.
  uint64_t large_object_size = 5120 * kSwiftMegabyte;
  uint64_t large_object_chunk_size = 200 * kSwiftMegabyte;
  bool auth_insecure = false;  // do not verify TLS certificates (auth and storage)
  std::string cacert;          // CA bundle for TLS; empty: the system's
  std::string endpoint;        // storage URL to use instead of the one auth returns
  std::string endpoint_type = "publicURL";
  std::string service_type = "object-store";
  std::string region;
  bool operator==(const SwiftStoreConfig&) const = default;
};

// Image data in OpenStack Swift, as glance_store's single-tenant swift driver keeps it: one
// object per image, or for large and unknown-size images a Dynamic Large Object (segments, then
// a zero-byte manifest with X-Object-Manifest). Unlike upstream, each upload names its object
// "<id>-<tag>" (see swift_writer.h); locations naming the bare id, as upstream and older
// versions wrote them, are read and removed alike. Data streams straight from write() to Swift
// (one segment at a time, never buffered) while MD5 and SHA-256 are computed on the daemon's
// BlockingPool (PooledDigests); the checksum is that MD5, not Swift's ETag. Tokens are cached
// per credential (SwiftAuth); a request refused with 401 is retried once with a new token when
// it had no body yet. Locations carry the credentials they were written with, and are read
// with those. Safe for concurrent calls from the threads of one io_context.
//
// Two uploads of one id may stream and commit at once, each under its own names: the
// registry's compare-and-set activates one, and the api removes the other's location, which
// names only the loser's objects.
//
// Errors: unavailable when Swift or its auth server cannot be reached (or answers 503);
// bad_gateway when it refuses the credentials; not_found; conflict when an image id already
// has data; storage_full for 507 Insufficient Storage; internal for other answers, with the
// status in the message.
class SwiftStore final : public Store {
 public:
  // Checks the configuration without contacting Swift: bad_request when it cannot work
  // (no auth address or credentials, auth version 2, a Keystone user without project, ...).
  // `pool` hashes the uploads' data and must outlive the store and its writers.
  static common::Result<std::unique_ptr<SwiftStore>> create(const SwiftStoreConfig& config,
                                                            BlockingPool& pool);
  ~SwiftStore() override;

  // glance::store::Store
  std::vector<std::string> schemes() const override {
    return {"swift", "swift+http", "swift+https", "swift+config"};
  }
  // Conflict when an upload of `id` was committed here (its object or manifest, or the bare
  // id, exists; segments alone do not count); an error when the container is missing and
  // create_container_on_put is off. A writer destroyed without commit() or abort() deletes
  // what it wrote in a detached coroutine on the executor that called begin_add, which must
  // outlive the writer.
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override;
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override;
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override;
  // Deletes a DLO's segments, then its manifest; an SLO with multipart-manifest=delete.
  Task<void> remove(const Location& where) override;
  // Lists the image's container (by the configured account) for names "<id>", "<id>-<tag>"
  // and "<id>-<tag>-<n>" and deletes them, segments first, but `keep`'s object and the
  // segments its manifest names.
  Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep) override;

  const SwiftStoreConfig& config() const;
  // The token cache, for tests and diagnostics.
  SwiftAuth& auth();

  // Shared with the cleanup a destroyed writer leaves running, which may outlive the store.
  struct Backend;

 private:
  SwiftStore(std::shared_ptr<Backend> backend, BlockingPool& pool)
      : backend_(std::move(backend)), pool_(pool) {}
  // Deletes the segments a DLO manifest ("<container>/<prefix>") names.
  Task<void> remove_segments(const std::string& manifest, const SwiftLocation& loc);
  // What remove_leftovers() must spare in `container`: the object `keep` names and the
  // prefix of the segments its manifest names (empty when it has none).
  struct Kept {
    std::string object;
    std::string segment_prefix;
  };
  Task<Kept> kept_by(const std::optional<Location>& keep, const std::string& container);

  std::shared_ptr<Backend> backend_;
  BlockingPool& pool_;
};

}  // namespace glance::store
