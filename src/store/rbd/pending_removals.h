#pragma once

#include "store/blocking_pool.h"
#include "store/rbd/rados_cluster.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace glance::store {

// RBD images of failed uploads whose removal failed because Ceph could not be reached (a
// cluster stopped or partitioned mid-upload), removed again once it can be. One job on the
// BlockingPool retries them every second for up to `give_up_after` each, so an outage holds
// at most one pool thread; what still cannot be removed then is logged for
// Store::remove_leftovers. Shared by the store and its writers; safe for concurrent use.
// stop() (the store's destructor) ends the job at its next retry.
class PendingRemovals {
 public:
  PendingRemovals(BlockingPool& pool, std::chrono::seconds give_up_after)
      : pool_(pool), give_up_after_(give_up_after) {}

  // Removes `name` (and its snapshots) from `io`'s pool now, on the calling pool thread; if
  // Ceph cannot be reached, queues it for the retrying job. Never fails: errors are logged.
  static void remove_or_queue(const std::shared_ptr<PendingRemovals>& self,
                              std::shared_ptr<IoCtx> io, const std::string& name);
  // How many removals wait for a retry.
  size_t pending() const;
  void stop();

 private:
  struct Item {
    std::shared_ptr<IoCtx> io;
    std::string name;
    std::chrono::steady_clock::time_point since;
  };
  static void run(const std::shared_ptr<PendingRemovals>& self);

  BlockingPool& pool_;
  const std::chrono::seconds give_up_after_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> items_;
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace glance::store
