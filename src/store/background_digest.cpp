#include "store/background_digest.h"

namespace glance::store {

BackgroundDigest::BackgroundDigest() : worker_([this] { run(); }) {}

BackgroundDigest::~BackgroundDigest() {
  {
    std::unique_lock lock(mutex_);
    wait_idle(lock);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void BackgroundDigest::wait_idle(std::unique_lock<std::mutex>& lock) {
  wake_.wait(lock, [this] { return !busy_; });
}

void BackgroundDigest::update(std::span<const char> data) {
  {
    std::unique_lock lock(mutex_);
    wait_idle(lock);
    pending_ = data;
    busy_ = true;
  }
  wake_.notify_all();
}

std::string BackgroundDigest::hex_final() {
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  return digest_.hex_final();
}

void BackgroundDigest::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return busy_ || stopping_; });
    if (!busy_) return;
    auto chunk = pending_;
    lock.unlock();
    digest_.update(chunk);
    lock.lock();
    busy_ = false;
    wake_.notify_all();
  }
}

}  // namespace glance::store
