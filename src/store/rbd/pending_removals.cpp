#include "store/rbd/pending_removals.h"

#include "store/rbd/rbd_image.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace glance::store {

namespace {

// The pause before the first retry, doubled after each round that removed nothing.
constexpr std::chrono::seconds kFirstPause{1};
constexpr std::chrono::seconds kLongestPause{15};

// Whether to try again later. unavailable: Ceph did not answer. conflict: the image still has
// a watcher, and a failed upload's image has none but ours, which Ceph drops by itself
// (osd_client_watch_timeout, 30 s by default) when our client closed the image while Ceph was
// away and Ceph comes back.
bool worth_retrying(const common::Error& e) {
  return e.code() == common::Errc::unavailable || e.code() == common::Errc::conflict;
}

}  // namespace

void PendingRemovals::remove_or_queue(const std::shared_ptr<PendingRemovals>& self,
                                      std::shared_ptr<IoCtx> io, const std::string& name) {
  auto removed = remove_image_and_snapshots(io, name);
  if (removed || removed.error().code() == common::Errc::not_found) return;
  if (!worth_retrying(removed.error())) {
    spdlog::error("cannot remove RBD image {}/{} of a failed upload: {}", io->pool(), name,
                  removed.error().message());
    return;
  }
  queue(self, std::move(io), name, removed.error().message());
}

void PendingRemovals::remove_later(const std::shared_ptr<PendingRemovals>& self,
                                   std::shared_ptr<IoCtx> io, const std::string& name) {
  queue(self, std::move(io), name, "");
}

void PendingRemovals::queue(const std::shared_ptr<PendingRemovals>& self, std::shared_ptr<IoCtx> io,
                            const std::string& name, const std::string& why) {
  bool start = false;
  {
    std::lock_guard lock(self->mutex_);
    if (self->stopping_) {
      spdlog::warn("RBD image {}/{} of a failed upload is left to the orphan reaper{}{}",
                   io->pool(), name, why.empty() ? "" : ": ", why);
      return;
    }
    if (!why.empty())
      spdlog::warn("cannot remove RBD image {}/{} of a failed upload yet, retrying: {}", io->pool(),
                   name, why);
    self->items_.push_back({std::move(io), name, std::chrono::steady_clock::now()});
    start = !std::exchange(self->running_, true);
  }
  if (start) self->pool_.post([self] { run(self); });
}

size_t PendingRemovals::pending() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

void PendingRemovals::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
}

void PendingRemovals::run(const std::shared_ptr<PendingRemovals>& self) {
  std::unique_lock lock(self->mutex_);
  auto pause = kFirstPause;
  while (!self->items_.empty() && !self->stopping_) {
    self->wake_.wait_for(lock, pause, [&] { return self->stopping_; });
    // One round: each item once, the stop looked at before each (every call is bounded by the
    // librados timeouts, so a stop waits for one call at most).
    std::deque<Item> round;
    round.swap(self->items_);
    bool progress = false;
    while (!round.empty() && !self->stopping_) {
      Item item = std::move(round.front());
      round.pop_front();
      lock.unlock();
      auto removed = remove_image_and_snapshots(item.io, item.name);
      const bool again = !removed && worth_retrying(removed.error()) &&
                         std::chrono::steady_clock::now() - item.since < self->give_up_after_;
      if (removed) {
        spdlog::info("removed RBD image {}/{} of a failed upload", item.io->pool(), item.name);
      } else if (!again && removed.error().code() != common::Errc::not_found) {
        spdlog::error(
            "giving up removing RBD image {}/{} of a failed upload, left to the "
            "orphan reaper: {}",
            item.io->pool(), item.name, removed.error().message());
      }
      progress = progress || !again;
      lock.lock();
      if (again) self->items_.push_back(std::move(item));
    }
    for (auto& item : round) self->items_.push_back(std::move(item));
    pause = progress ? kFirstPause : std::min(pause * 2, kLongestPause);
  }
  for (const auto& item : self->items_)
    spdlog::warn("RBD image {}/{} of a failed upload is left to the orphan reaper", item.io->pool(),
                 item.name);
  self->items_.clear();
  self->running_ = false;
}

}  // namespace glance::store
