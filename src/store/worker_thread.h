#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace glance::store {

// One thread that runs one job at a time for its owner, so that work on a chunk of image data
// (hashing it, writing it to disk) overlaps with receiving the next. start() first waits for
// the job in flight; wait() returns once it is done. The destructor waits, then joins.
// Used by one owning thread at a time.
class WorkerThread {
 public:
  WorkerThread();
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  void start(std::function<void()> job);
  void wait();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::function<void()> job_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace glance::store
