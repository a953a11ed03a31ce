#pragma once

#include <rbd/librbd.h>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace glance::store {

// The asynchronous operations of one upload that are still in flight in librbd: its writes
// (rbd_aio_write) and, at the end, the close of its image (rbd_aio_close, which librbd completes
// after the writes). Each write owns a copy of its bytes, kept for the next write once librbd
// completes it (and freed with the window), so the caller's buffer is free as soon as submit()
// returns. librbd completes operations on its own threads; the window records the outcome under
// a mutex and resumes the one waiting coroutine on that coroutine's executor. The state is
// shared with the operations in flight, so destroying this handle (or the object that holds it)
// while they are in flight is safe.
//
// Nothing here waits without a limit: an operation librbd holds back while Ceph is away (a
// write queued behind an exclusive lock it cannot re-acquire, a close that cannot release it)
// is not bounded by librados' operation timeout, so until() takes a limit of its own, and what
// must happen once everything is done (the removal of a failed upload's image) is handed to
// when_drained() instead of a thread waiting for it.
//
// The window does not enforce a bound itself: callers await until(capacity - 1) before each
// submit(), which bounds the writes in flight, and so the memory, to `capacity` copies of the
// largest write.
// Used by one coroutine at a time; submit() blocks (pool threads only).
class RbdWriteWindow {
 public:
  using Clock = std::chrono::steady_clock;

  RbdWriteWindow();

  // Copies `data` and starts writing it at `offset` of `image`, which must be large enough
  // (librbd cuts a write that passes the image's end). Failures show in error().
  void submit(rbd_image_t image, std::span<const char> data, uint64_t offset);
  // Starts closing `image` (an open handle the caller gives up); librbd completes the close
  // once the writes in flight are done. Never blocks. A failed close shows in error().
  void close(rbd_image_t image);
  // Resumes the caller on its own executor with true once at most `in_flight` operations are
  // in flight (0: all are done), or with false once `limit` has passed first (a zero limit:
  // none). Never blocks the calling thread.
  boost::asio::awaitable<bool> until(size_t in_flight, Clock::duration limit);
  // Runs `job` once no operation is in flight: at once on the calling thread if none is, else
  // on the librbd thread that completes the last one, so `job` must neither block nor call
  // librbd. At most one job is pending at a time.
  void when_drained(std::function<void()> job);
  // The negative errno of the first operation that failed, or 0.
  int error() const;

  struct State;  // shared with the operations in flight

 private:
  std::shared_ptr<State> state_;
};

}  // namespace glance::store
