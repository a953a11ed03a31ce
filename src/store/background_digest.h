#pragma once

#include "common/md5_digest.h"

#include <condition_variable>
#include <mutex>
#include <span>
#include <string>
#include <thread>

namespace glance::store {

// An MD5 computed on a helper thread, so that hashing one chunk overlaps with writing it and
// with receiving the next: on one core MD5 is the slowest step of an upload.
// update() returns at once; the span must stay valid and unchanged until the next update()
// or hex_final() returns, which wait for the previous chunk. Used by one thread at a time.
class BackgroundDigest {
 public:
  BackgroundDigest();
  ~BackgroundDigest();
  BackgroundDigest(const BackgroundDigest&) = delete;
  BackgroundDigest& operator=(const BackgroundDigest&) = delete;

  void update(std::span<const char> data);
  std::string hex_final();

 private:
  void wait_idle(std::unique_lock<std::mutex>& lock);
  void run();

  common::Md5Digest digest_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::span<const char> pending_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace glance::store
