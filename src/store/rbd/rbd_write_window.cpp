#include "store/rbd/rbd_write_window.h"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace glance::store {

namespace net = boost::asio;

struct RbdWriteWindow::State {
  mutable std::mutex mutex;
  std::condition_variable done;
  size_t in_flight = 0;
  int error = 0;
  // The copies of completed writes, reused by the next ones: one allocation per write, made
  // on a pool thread and freed on a librbd thread, would churn 1 MiB blocks through malloc's
  // per-thread arenas for every chunk. Never more than the most writes ever in flight.
  std::vector<std::vector<char>> spare;
  // The coroutine waiting in until(), and the count it waits for.
  std::optional<net::any_completion_handler<void()>> waiter;
  std::optional<net::any_io_executor> waiter_home;
  size_t waiter_limit = 0;

  // Called with `mutex` held: takes the waiter when its wait is over.
  void take_waiter_if_ready(std::optional<net::any_completion_handler<void()>>& handler,
                            std::optional<net::any_io_executor>& home) {
    if (!waiter || in_flight > waiter_limit) return;
    handler.swap(waiter);
    home.swap(waiter_home);
  }
  void finished(ssize_t r, std::vector<char> bytes) {
    std::optional<net::any_completion_handler<void()>> handler;
    std::optional<net::any_io_executor> home;
    {
      std::lock_guard lock(mutex);
      if (bytes.capacity() > 0) spare.push_back(std::move(bytes));
      --in_flight;
      if (r < 0 && error == 0) error = static_cast<int>(r);
      take_waiter_if_ready(handler, home);
      done.notify_all();
    }
    if (handler) net::post(*home, [h = std::move(*handler)]() mutable { std::move(h)(); });
  }
};

namespace {

// One write in flight: what its completion callback needs. The callback owns it.
struct Write {
  std::shared_ptr<RbdWriteWindow::State> state;
  std::vector<char> bytes;
};

// Runs on a librbd thread: it must not touch the writer, only the shared state.
void write_done(rbd_completion_t completion, void* arg) {
  std::unique_ptr<Write> write(static_cast<Write*>(arg));
  const ssize_t r = rbd_aio_get_return_value(completion);
  rbd_aio_release(completion);
  auto state = std::move(write->state);
  // The copy is spare before anyone waiting for room runs, so the window's memory bound holds.
  state->finished(r, std::move(write->bytes));
}

}  // namespace

RbdWriteWindow::RbdWriteWindow() : state_(std::make_shared<State>()) {}

void RbdWriteWindow::submit(rbd_image_t image, std::span<const char> data, uint64_t offset) {
  std::vector<char> bytes;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->spare.empty()) {
      bytes = std::move(state_->spare.back());
      state_->spare.pop_back();
    }
  }
  bytes.assign(data.begin(), data.end());
  auto write = std::make_unique<Write>(Write{state_, std::move(bytes)});
  rbd_completion_t completion = nullptr;
  if (int r = rbd_aio_create_completion(write.get(), write_done, &completion); r < 0) {
    std::lock_guard lock(state_->mutex);
    if (state_->error == 0) state_->error = r;
    return;
  }
  {
    // Counted before it starts: the callback may run before rbd_aio_write returns.
    std::lock_guard lock(state_->mutex);
    ++state_->in_flight;
  }
  const char* start = write->bytes.data();
  Write* owned = write.release();
  if (int r = rbd_aio_write(image, offset, data.size(), start, completion); r < 0) {
    // Not started, so its callback never runs.
    rbd_aio_release(completion);
    std::unique_ptr<Write> unstarted(owned);
    state_->finished(r, std::move(unstarted->bytes));
  }
}

net::awaitable<void> RbdWriteWindow::until(size_t in_flight) {
  return net::async_initiate<decltype(net::use_awaitable), void()>(
      [state = state_, in_flight](auto handler) {
        auto home = net::get_associated_executor(handler);
        std::unique_lock lock(state->mutex);
        if (state->in_flight <= in_flight) {
          lock.unlock();
          net::post(home, std::move(handler));
          return;
        }
        state->waiter.emplace(std::move(handler));
        state->waiter_home.emplace(home);
        state->waiter_limit = in_flight;
      },
      net::use_awaitable);
}

void RbdWriteWindow::wait_blocking() {
  std::unique_lock lock(state_->mutex);
  state_->done.wait(lock, [&] { return state_->in_flight == 0; });
}

int RbdWriteWindow::error() const {
  std::lock_guard lock(state_->mutex);
  return state_->error;
}

}  // namespace glance::store
