#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace glance::store {

// A fixed set of threads, owned by the daemon, for the work of image transfers that would block
// an I/O thread: hashing a chunk, write(2), fsync(2), rename and unlink on a local disk. Every
// upload shares them, so a thousand idle uploads cost no thread, and a hung disk stalls only the
// uploads waiting for it. Coroutines hand work over with run() or PoolJob and resume on their
// own executor, never blocking theirs. Safe for concurrent use; the destructor waits for the
// work already posted, then joins.
class BlockingPool {
 public:
  // `threads` > 0.
  explicit BlockingPool(size_t threads);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  size_t threads() const { return threads_; }
  // Waits for the work posted so far and ends the threads. Call it while the executors that
  // work resumes on still exist (before the io_context goes); nothing may be posted after.
  void join();

  // Runs fn() on a pool thread and resumes the calling coroutine on its own executor with
  // what fn returned (fn must not return void). fn must not throw.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F fn) {
    namespace net = boost::asio;
    using T = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<T>, "return a value (a Result) from pool work");
    return net::async_initiate<decltype(net::use_awaitable), void(T)>(
        [this, fn = std::move(fn)](auto handler) mutable {
          auto home = net::get_associated_executor(handler);
          net::post(pool_, [fn = std::move(fn), handler = std::move(handler),
                            work = net::make_work_guard(home)]() mutable {
            T result = fn();
            auto ex = work.get_executor();
            net::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
              std::move(handler)(std::move(result));
            });
          });
        },
        net::use_awaitable);
  }

  // Runs job() on a pool thread, fire and forget. PoolJob builds on this.
  void post(std::function<void()> job);

 private:
  size_t threads_;
  boost::asio::thread_pool pool_;
};

// One piece of work started on a BlockingPool now and awaited later, so that it overlaps with
// what its owner does meanwhile (hashing chunk N while chunk N+1 is received). At most one job
// at a time: start() requires idle(). Owned and used by one coroutine at a time. Destroying a
// PoolJob while its job runs blocks until the job finishes (owners whose job reads their
// members rely on it), so owners await wait() first wherever they can.
class PoolJob {
 public:
  PoolJob() : state_(std::make_shared<State>()) {}
  ~PoolJob() { wait_blocking(); }
  PoolJob(const PoolJob&) = delete;
  PoolJob& operator=(const PoolJob&) = delete;

  bool idle() const;
  void start(BlockingPool& pool, std::function<void()> job);
  // Returns once the job started last has finished, resuming on the caller's executor.
  boost::asio::awaitable<void> wait();
  // The same, blocking the calling thread: for destructors only.
  void wait_blocking();

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable finished;
    bool running = false;
    std::optional<boost::asio::any_completion_handler<void()>> waiter;
    std::optional<boost::asio::any_io_executor> waiter_home;
  };
  // Registers the caller to be resumed when the running job finishes (at once if it has).
  boost::asio::awaitable<void> wait_running();

  std::shared_ptr<State> state_;
};

}  // namespace glance::store
