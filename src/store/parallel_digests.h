#pragma once

#include "common/hex_digest.h"
#include "store/worker_thread.h"

#include <cstdint>
#include <span>
#include <string>

namespace glance::store {

// The MD5 (Glance's checksum) and SHA-256 (os_hash_value) of an image, each computed on its
// own thread while the caller moves the same chunk on (to disk, to a server): on one core MD5
// runs at about the speed of receiving, so hashing inline would halve the upload rate.
// add() waits for the previous chunk first, so a chunk must stay valid and unchanged until the
// next add(), finish() or destruction. Used by one thread at a time.
class ParallelDigests {
 public:
  void add(std::span<const char> chunk) {
    wait();
    md5_thread_.start([this, chunk] { md5_.update(chunk); });
    sha256_thread_.start([this, chunk] { sha256_.update(chunk); });
    bytes_ += chunk.size();
  }
  // Returns once the last chunk is hashed.
  void wait() {
    md5_thread_.wait();
    sha256_thread_.wait();
  }
  struct Hex {
    std::string md5;
    std::string sha256;
  };
  // Both digests of everything added. Call once.
  Hex finish() {
    wait();
    return {md5_.hex_final(), sha256_.hex_final()};
  }
  uint64_t bytes() const { return bytes_; }

 private:
  common::Md5Digest md5_;
  common::Sha256Digest sha256_;
  WorkerThread md5_thread_;
  WorkerThread sha256_thread_;
  uint64_t bytes_ = 0;
};

}  // namespace glance::store
