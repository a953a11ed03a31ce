#pragma once

#include "store/blocking_pool.h"
#include "store/s3/client.h"
#include "store/store.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace glance::store {

// glance_store's s3 driver options ([glance_store], as in Glance v2's glance_store
// _drivers/s3.py). Sizes count MiB, as upstream.
struct S3StoreConfig {
  // "host[:port]", "http://..." or "https://..."; a bare host means http, as upstream.
  std::string s3_store_host;
  // Empty: taken from an AWS host name, else us-east-1.
  std::string s3_store_region_name;
  std::string s3_store_access_key;
  std::string s3_store_secret_key;
  std::string s3_store_bucket;
  bool s3_store_create_bucket_on_put = false;
  // auto, path or virtual; auto is boto3's choice for upstream's settings (s3::resolve_style).
  std::string s3_store_bucket_url_format = "auto";
  // Uploads of a declared size below this go out as one PUT; others as a multipart upload.
  int64_t s3_store_large_object_size = 100;
  // Multipart part size; S3 refuses parts under 5 MiB but the last.
  int64_t s3_store_large_object_chunk_size = 10;
  // Read for compatibility and otherwise unused: parts go out one after another on the
  // upload's connection, which keeps memory at one part per upload.
  int64_t s3_store_thread_pools = 10;
  // CA bundle for s3+https; empty: the system's.
  std::string s3_store_cacert;
};

// Where an S3 store keeps one image: "s3://<access>:<secret>@<host>/<bucket>/<key>" (http) or
// "s3+https://..." (s3+http is accepted as http), as glance_store writes them. The host may
// carry a port and a path prefix. The key is "<id>-<random hex>"; locations written before
// per-upload keys (and glance_store's) name the bare image id, and are read and deleted alike.
struct S3Location {
  bool tls = false;
  std::string access_key;  // both empty when the URI carries no credentials
  std::string secret_key;
  std::string host;
  std::string bucket;
  std::string key;
  bool operator==(const S3Location&) const = default;
};

// Percent-encodes ':', '@', '/' and '%' in the keys (Swift's access keys hold a colon, AWS
// secrets a slash), so that the URI splits unambiguously and common::redact_credentials masks
// the whole secret.
std::string s3_location_uri(const S3Location& location);
// Also reads upstream's unencoded form, where the credentials end at the last '@' and the
// access key at the first ':'. Fails with bad_request.
common::Result<S3Location> parse_s3_location(std::string_view uri);

// Image data as S3 objects named by image id in one bucket (Ceph RGW, MinIO, Swift's s3api,
// AWS), through SigV4-signed requests. Data streams through in both directions:
//  - declared size below s3_store_large_object_size: one PUT with Content-Length;
//  - declared size at or above it: a multipart upload, each part streamed with its length;
//  - size unknown: S3 needs each part's length before its first byte, so one part
//    (s3_store_large_object_chunk_size) is buffered at a time; an image that fits in one
//    part goes out as one PUT at commit.
// MD5 and SHA-256 are computed on the daemon's BlockingPool (PooledDigests). S3 has no create-only
// PUT that every server honours, so each upload writes its own key, "<id>-<random hex>",
// which its location names: two racing uploads of one id both succeed here, the registry's
// compare-and-set activates one, and the other removes only its own object. begin_add fails
// with conflict when the bucket already holds a key of the id (either form).
// Only a location's own credentials are used to read or delete it: the configured ones are
// never lent to a location that carries none (every location this store writes carries them).
// Errors: unavailable (server unreachable or 503), not_found, bad_gateway (403: credentials,
// rights or clock refused; the S3 code is in the message), storage_full (QuotaExceeded),
// bad_request (size mismatch, malformed location), internal (anything else, with the S3
// code). Safe for concurrent calls.
class S3Store final : public Store {
 public:
  // Fails with bad_request for a missing or invalid option. Does no I/O. `pool` hashes the
  // uploads' data and must outlive the store and its writers.
  static common::Result<std::unique_ptr<S3Store>> create(const S3StoreConfig& config,
                                                         BlockingPool& pool);

  // glance::store::Store
  std::vector<std::string> schemes() const override { return {"s3", "s3+http", "s3+https"}; }
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override;
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override;
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override;
  Task<void> remove(const Location& where) override;
  // In the configured bucket: deletes the keys "<id>" and "<id>-<tag>" but `keep`'s, and
  // aborts every unfinished multipart upload of such a key.
  Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep) override;

  const S3StoreConfig& config() const { return config_; }
  // The configured bucket, with the configured credentials.
  const s3::Bucket& bucket() const { return bucket_; }

 private:
  S3Store(const S3StoreConfig& config, s3::Endpoint endpoint, s3::UrlStyle style,
          BlockingPool& pool);
  struct Object {
    s3::Bucket bucket;
    std::string key;
  };
  // The bucket and key a location names, with the credentials to use for them.
  common::Result<Object> object_at(const Location& where) const;
  Task<void> ensure_bucket();
  // The keys of the configured bucket that start with `prefix`, and the unfinished multipart
  // uploads (key, upload id) of such keys; both empty when the bucket does not exist.
  struct Listing {
    std::vector<std::string> keys;
    std::vector<std::pair<std::string, std::string>> uploads;
  };
  Task<Listing> list_prefix(const std::string& prefix);
  // Deletes a key or aborts a multipart upload (`request`); logs a failure.
  boost::asio::awaitable<void> delete_logged(s3::Request request, std::string what);

  S3StoreConfig config_;
  s3::Endpoint endpoint_;
  s3::UrlStyle style_;
  s3::Bucket bucket_;
  S3Location home_;  // the location of a key in the configured bucket, key left empty
  s3::Client client_;
  BlockingPool& pool_;
  // Set once the configured bucket is known to exist, to spare a HEAD per upload.
  std::atomic<bool> bucket_ready_{false};
};

}  // namespace glance::store
