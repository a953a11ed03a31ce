#pragma once

#include <rbd/librbd.h>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace glance::store {

// The asynchronous writes (rbd_aio_write) of one upload that are still in flight to Ceph. Each
// write owns a copy of its bytes, kept for the next write once librbd completes it (and freed
// with the window), so the caller's buffer is free as soon as submit() returns. librbd completes
// writes on its own threads; the window records the outcome under a mutex and resumes the one
// waiting coroutine on that coroutine's executor. The state is shared with the writes in flight, so
// destroying this handle (or the object that holds it) while writes are in flight is safe; the
// image they write must stay open until they complete (wait_blocking() before closing it).
//
// The window does not enforce a bound itself: callers await until(capacity - 1) before each
// submit(), which bounds the writes in flight, and so the memory, to `capacity` copies of the
// largest write.
// Used by one coroutine at a time; submit() and wait_blocking() block (pool threads only).
class RbdWriteWindow {
 public:
  RbdWriteWindow();

  // Copies `data` and starts writing it at `offset` of `image`, which must be large enough
  // (librbd cuts a write that passes the image's end). Failures show in error().
  void submit(rbd_image_t image, std::span<const char> data, uint64_t offset);
  // Resumes the caller on its own executor once at most `in_flight` writes are in flight
  // (0: all are done). Never blocks the calling thread.
  boost::asio::awaitable<void> until(size_t in_flight);
  // Blocks until no write is in flight.
  void wait_blocking();
  // The negative errno of the first write that failed, or 0.
  int error() const;

  struct State;  // shared with the writes in flight

 private:
  std::shared_ptr<State> state_;
};

}  // namespace glance::store
