#include "store/rbd/rbd_write_window.h"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <mutex>
#include <optional>
#include <vector>

namespace glance::store {

namespace net = boost::asio;

struct RbdWriteWindow::State {
  // The coroutine waiting in until(): what resumes it, where, for which count, and the timer
  // that ends its wait at its limit (none without a limit).
  struct Waiter {
    net::any_completion_handler<void(bool)> handler;
    net::any_io_executor home;
    size_t limit = 0;
    std::shared_ptr<net::steady_timer> timer;
    uint64_t serial = 0;  // tells a timer that fires late from the next wait's
  };

  mutable std::mutex mutex;
  size_t in_flight = 0;
  int error = 0;
  // The copies of completed writes, reused by the next ones: one allocation per write, made
  // on a pool thread and freed on a librbd thread, would churn 1 MiB blocks through malloc's
  // per-thread arenas for every chunk. Never more than the most writes ever in flight.
  std::vector<std::vector<char>> spare;
  std::optional<Waiter> waiter;
  uint64_t waits = 0;
  std::function<void()> drained;

  // Resumes `w` on its home executor with `reached`, ending its timer there (timers are not
  // safe to touch from a librbd thread).
  static void resume(Waiter w, bool reached) {
    net::post(w.home, [h = std::move(w.handler), timer = std::move(w.timer), reached]() mutable {
      if (timer) timer->cancel();
      std::move(h)(reached);
    });
  }

  // An operation ended with `r` (negative errno, or not). Runs on a librbd thread.
  void finished(ssize_t r, std::vector<char> bytes) {
    std::optional<Waiter> ready;
    std::function<void()> job;
    {
      std::lock_guard lock(mutex);
      if (bytes.capacity() > 0) spare.push_back(std::move(bytes));
      --in_flight;
      if (r < 0 && error == 0) error = static_cast<int>(r);
      if (waiter && in_flight <= waiter->limit) ready.swap(waiter);
      if (in_flight == 0) job.swap(drained);
    }
    if (ready) resume(std::move(*ready), true);
    if (job) job();
  }
};

namespace {

// One operation in flight: what its completion callback needs. The callback owns it.
struct Operation {
  std::shared_ptr<RbdWriteWindow::State> state;
  std::vector<char> bytes;  // a write's copy; empty for the close
};

// Runs on a librbd thread: it must not touch the writer, only the shared state.
void operation_done(rbd_completion_t completion, void* arg) {
  std::unique_ptr<Operation> op(static_cast<Operation*>(arg));
  const ssize_t r = rbd_aio_get_return_value(completion);
  rbd_aio_release(completion);
  auto state = std::move(op->state);
  // The copy is spare before anyone waiting for room runs, so the window's memory bound holds.
  state->finished(r, std::move(op->bytes));
}

// Starts one operation owning `bytes` (empty but for a write): `begin(completion, bytes)`
// hands it to librbd, whose callback then ends it. A start that fails ends it at once.
template <class Begin>
void start_operation(const std::shared_ptr<RbdWriteWindow::State>& state, std::vector<char> bytes,
                     Begin begin) {
  auto op = std::make_unique<Operation>(Operation{state, std::move(bytes)});
  rbd_completion_t completion = nullptr;
  if (int r = rbd_aio_create_completion(op.get(), operation_done, &completion); r < 0) {
    // Out of memory at most. A close that cannot start leaves its handle open: closing
    // synchronously would block the caller's thread.
    std::lock_guard lock(state->mutex);
    if (state->error == 0) state->error = r;
    return;
  }
  {
    // Counted before it starts: the callback may run before librbd's call returns.
    std::lock_guard lock(state->mutex);
    ++state->in_flight;
  }
  Operation* owned = op.release();
  if (int r = begin(completion, owned->bytes.data()); r < 0) {
    // Not started, so its callback never runs.
    rbd_aio_release(completion);
    std::unique_ptr<Operation> unstarted(owned);
    state->finished(r, std::move(unstarted->bytes));
  }
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
  start_operation(state_, std::move(bytes), [&](rbd_completion_t c, const char* copy) {
    return rbd_aio_write(image, offset, data.size(), copy, c);
  });
}

void RbdWriteWindow::close(rbd_image_t image) {
  start_operation(state_, {},
                  [&](rbd_completion_t c, const char*) { return rbd_aio_close(image, c); });
}

net::awaitable<bool> RbdWriteWindow::until(size_t in_flight, Clock::duration limit) {
  return net::async_initiate<decltype(net::use_awaitable), void(bool)>(
      [state = state_, in_flight, limit](auto handler) {
        auto home = net::get_associated_executor(handler);
        std::lock_guard lock(state->mutex);
        if (state->in_flight <= in_flight) {
          net::post(home, [h = std::move(handler)]() mutable { std::move(h)(true); });
          return;
        }
        State::Waiter w{std::move(handler), home, in_flight, nullptr, ++state->waits};
        if (limit > Clock::duration::zero()) {
          w.timer = std::make_shared<net::steady_timer>(home, limit);
          w.timer->async_wait([state, serial = w.serial](boost::system::error_code ec) {
            if (ec) return;  // cancelled: the wait ended first
            std::optional<State::Waiter> late;
            {
              std::lock_guard lock(state->mutex);
              if (state->waiter && state->waiter->serial == serial) late.swap(state->waiter);
            }
            if (late) State::resume(std::move(*late), false);
          });
        }
        state->waiter.emplace(std::move(w));
      },
      net::use_awaitable);
}

void RbdWriteWindow::when_drained(std::function<void()> job) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->in_flight > 0) {
      state_->drained = std::move(job);
      return;
    }
  }
  job();
}

int RbdWriteWindow::error() const {
  std::lock_guard lock(state_->mutex);
  return state_->error;
}

}  // namespace glance::store
