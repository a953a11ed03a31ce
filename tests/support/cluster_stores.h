#pragma once

// Store configurations pointing at the Swift all-in-one of swift_cluster.h, each naming a fresh
// container or bucket (per process and per call, since ctest runs tests in parallel
// processes), created by the first upload. Sizes are small so a few hundred kB take the
// segmented paths. Header-only, so that the test support library needs no glance_store.

#include "store/blocking_pool.h"
#include "store/s3/s3_store.h"
#include "store/swift/swift_store.h"
#include "tests/support/swift_cluster.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace glance::testing {

inline std::string fresh_name(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

// The pool that hashes the uploads of the stores a test makes, as glance-api's one pool
// (store_worker_threads) does; it lives until the process exits.
inline store::BlockingPool& store_pool() {
  static store::BlockingPool pool(4);
  return pool;
}

// tempauth; images of a declared size under 250,000 bytes in one PUT, others as segments of
// 100,000 bytes.
inline store::SwiftStoreConfig swift_config_on_cluster(const std::string& container_prefix) {
  const auto& cluster = swift_cluster();
  store::SwiftStoreConfig c;
  c.auth_address = cluster.auth_url;
  c.auth_version = 1;
  c.user = cluster.user;
  c.key = cluster.key;
  c.container = fresh_name(container_prefix);
  c.create_container_on_put = true;
  c.large_object_size = 250000;
  c.large_object_chunk_size = 100000;
  return c;
}

// Path-style S3; parts are S3's smallest (5 MiB), and declared sizes of 1 MiB and more go
// multipart.
inline store::S3StoreConfig s3_config_on_cluster(const std::string& bucket_prefix) {
  const auto& cluster = swift_cluster();
  store::S3StoreConfig c;
  c.s3_store_host = cluster.s3_endpoint;
  c.s3_store_access_key = cluster.s3_access_key;
  c.s3_store_secret_key = cluster.s3_secret_key;
  c.s3_store_region_name = cluster.s3_region;
  c.s3_store_bucket = fresh_name(bucket_prefix);
  c.s3_store_create_bucket_on_put = true;
  c.s3_store_large_object_size = 1;
  c.s3_store_large_object_chunk_size = 5;
  return c;
}

}  // namespace glance::testing
