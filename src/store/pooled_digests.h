#pragma once

#include "common/hex_digest.h"
#include "store/blocking_pool.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace glance::store {

// The MD5 (Glance's checksum) and SHA-256 (os_hash_value) of an image, each computed as its own
// job on the daemon's BlockingPool while the caller moves the same chunk on (to disk, to a
// server) and receives the next: on one core MD5 runs at about the speed of receiving, so
// hashing inline would halve the upload rate. add() awaits the previous chunk's jobs first, so
// a chunk must stay valid and unchanged until the next add(), wait() or finish() completes,
// or the destructor returns (which blocks until the jobs in flight are done: a chunk's hashing
// takes milliseconds). Used by one coroutine at a time; `pool` must outlive it.
class PooledDigests {
 public:
  explicit PooledDigests(BlockingPool& pool) : pool_(pool) {}

  boost::asio::awaitable<void> add(std::span<const char> chunk) {
    co_await wait();
    md5_job_.start(pool_, [this, chunk] { md5_.update(chunk); });
    sha256_job_.start(pool_, [this, chunk] { sha256_.update(chunk); });
    bytes_ += chunk.size();
  }
  // Returns once the last chunk is hashed; never blocks the calling thread.
  boost::asio::awaitable<void> wait() {
    co_await md5_job_.wait();
    co_await sha256_job_.wait();
  }
  struct Hex {
    std::string md5;
    std::string sha256;
  };
  // Both digests of everything added. Call once.
  boost::asio::awaitable<Hex> finish() {
    co_await wait();
    co_return Hex{md5_.hex_final(), sha256_.hex_final()};
  }
  uint64_t bytes() const { return bytes_; }

 private:
  BlockingPool& pool_;
  common::Md5Digest md5_;
  common::Sha256Digest sha256_;
  uint64_t bytes_ = 0;
  // Declared last, so destroyed first: their destructors wait for jobs that use the digests.
  PoolJob md5_job_;
  PoolJob sha256_job_;
};

}  // namespace glance::store
