#include "store/rbd/pending_removals.h"

#include "store/rbd/rbd_image.h"

#include <spdlog/spdlog.h>

namespace glance::store {

namespace {

// Whether to try again later: Ceph did not answer, as opposed to answering no.
bool worth_retrying(const common::Error& e) {
  return e.code() == common::Errc::unavailable;
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
  spdlog::warn("cannot remove RBD image {}/{} of a failed upload yet, retrying: {}", io->pool(),
               name, removed.error().message());
  bool start = false;
  {
    std::lock_guard lock(self->mutex_);
    if (self->stopping_) return;
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
  while (!self->items_.empty() && !self->stopping_) {
    self->wake_.wait_for(lock, std::chrono::seconds(1), [&] { return self->stopping_; });
    if (self->stopping_) break;
    Item item = std::move(self->items_.front());
    self->items_.pop_front();
    lock.unlock();
    auto removed = remove_image_and_snapshots(item.io, item.name);
    const bool again = !removed && worth_retrying(removed.error()) &&
                       std::chrono::steady_clock::now() - item.since < self->give_up_after_;
    if (removed)
      spdlog::info("removed RBD image {}/{} of a failed upload", item.io->pool(), item.name);
    else if (!again && removed.error().code() != common::Errc::not_found)
      spdlog::error("giving up removing RBD image {}/{} of a failed upload: {}", item.io->pool(),
                    item.name, removed.error().message());
    lock.lock();
    if (again) self->items_.push_back(std::move(item));
  }
  for (const auto& item : self->items_)
    spdlog::error("RBD image {}/{} of a failed upload is left behind", item.io->pool(), item.name);
  self->items_.clear();
  self->running_ = false;
}

}  // namespace glance::store
