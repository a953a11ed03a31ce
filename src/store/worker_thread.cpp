#include "store/worker_thread.h"

namespace glance::store {

WorkerThread::WorkerThread() : thread_([this] { run(); }) {}

WorkerThread::~WorkerThread() {
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return !busy_; });
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WorkerThread::start(std::function<void()> job) {
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return !busy_; });
    job_ = std::move(job);
    busy_ = true;
  }
  wake_.notify_all();
}

void WorkerThread::wait() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !busy_; });
}

void WorkerThread::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return busy_ || stopping_; });
    if (!busy_) return;
    auto job = std::move(job_);
    lock.unlock();
    job();
    lock.lock();
    busy_ = false;
    wake_.notify_all();
  }
}

}  // namespace glance::store
