#include "store/blocking_pool.h"

#include <openssl/crypto.h>

namespace glance::store {

namespace net = boost::asio;

namespace {
// The pool's threads hash with OpenSSL. Its one-time initialisation keeps per-thread state
// of the thread that runs it; done here, that is the creating (long-lived) thread rather
// than a pool thread that exits before the process and leaves the state behind.
size_t with_openssl_initialised(size_t threads) {
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
  return threads;
}
}  // namespace

BlockingPool::BlockingPool(size_t threads)
    : threads_(with_openssl_initialised(threads)), pool_(threads) {}

BlockingPool::~BlockingPool() {
  join();
}

void BlockingPool::join() {
  pool_.join();
}

void BlockingPool::post(std::function<void()> job) {
  net::post(pool_, std::move(job));
}

bool PoolJob::idle() const {
  std::lock_guard lock(state_->mutex);
  return !state_->running;
}

void PoolJob::start(BlockingPool& pool, std::function<void()> job) {
  {
    std::lock_guard lock(state_->mutex);
    state_->running = true;
  }
  // The state, not this PoolJob, is what the pool thread touches last: the owner may be
  // resumed (and destroy this PoolJob) before the thread has let go of the mutex.
  pool.post([state = state_, job = std::move(job)] {
    job();
    std::optional<net::any_completion_handler<void()>> waiter;
    std::optional<net::any_io_executor> home;
    {
      std::lock_guard lock(state->mutex);
      state->running = false;
      waiter.swap(state->waiter);
      home.swap(state->waiter_home);
      state->finished.notify_all();
    }
    if (waiter) net::post(*home, [waiter = std::move(*waiter)]() mutable { std::move(waiter)(); });
  });
}

net::awaitable<void> PoolJob::wait() {
  if (idle()) co_return;
  co_await wait_running();
}

net::awaitable<void> PoolJob::wait_running() {
  return net::async_initiate<decltype(net::use_awaitable), void()>(
      [state = state_](auto handler) {
        auto home = net::get_associated_executor(handler);
        std::unique_lock lock(state->mutex);
        if (!state->running) {
          lock.unlock();
          net::post(home, std::move(handler));
          return;
        }
        state->waiter.emplace(std::move(handler));
        state->waiter_home.emplace(home);
      },
      net::use_awaitable);
}

void PoolJob::wait_blocking() {
  std::unique_lock lock(state_->mutex);
  state_->finished.wait(lock, [this] { return !state_->running; });
}

}  // namespace glance::store
