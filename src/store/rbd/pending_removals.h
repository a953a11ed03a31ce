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
// cluster stopped or partitioned mid-upload) or still saw the image in use (the watch of our
// own handle, closed while Ceph was away, which Ceph drops about 30 s after it comes back),
// removed again once they can be. One job on the BlockingPool retries them in rounds, pausing
// 1 s after a round that removed something and up to 15 s after one that did not, for up to
// `give_up_after` each, so an outage holds at most one pool thread. What it gives up on, and
// what is left when it stops, is logged and left to the orphan reaper, whose
// Store::remove_abandoned_uploads finds it again (in this process or the next one). Shared by
// the store and its writers; safe for concurrent use. stop() (at shutdown, before the pool
// joins, and in the store's destructor) ends the job before its next attempt: a stop waits for
// the Ceph call in flight at most, which the librados timeouts bound.
class PendingRemovals {
 public:
  PendingRemovals(BlockingPool& pool, std::chrono::seconds give_up_after)
      : pool_(pool), give_up_after_(give_up_after) {}

  // Removes `name` (and its snapshots) from `io`'s pool now, on the calling pool thread; if
  // Ceph cannot be reached or sees the image in use, queues it for the retrying job (unless
  // stopped). Never fails: errors are logged.
  static void remove_or_queue(const std::shared_ptr<PendingRemovals>& self,
                              std::shared_ptr<IoCtx> io, const std::string& name);
  // Queues `name` for the retrying job without trying now (unless stopped: then it is left to
  // the orphan reaper). Never blocks nor calls Ceph: safe on a librbd thread, for an image
  // whose close librbd completed there.
  static void remove_later(const std::shared_ptr<PendingRemovals>& self, std::shared_ptr<IoCtx> io,
                           const std::string& name);
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
  // Queues the item and starts the job if it is not running; `why` is the failure that queued
  // it, for the log (empty: none, nothing tried yet).
  static void queue(const std::shared_ptr<PendingRemovals>& self, std::shared_ptr<IoCtx> io,
                    const std::string& name, const std::string& why);

  BlockingPool& pool_;
  const std::chrono::seconds give_up_after_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> items_;
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace glance::store
