#pragma once

#include "common/error.h"
#include "registry/db/database_url.h"
#include "registry/db/db_metrics.h"
#include "registry/db/retry_rule.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

namespace glance::registry {

class MysqlConnection;

// A write for DbExecutor::write. Both functions may run more than once, so they take their
// inputs by value (or re-read them) and never move out of what they captured.
template <class T>
struct DbWrite {
  // Performs the write, committed in one transaction, and returns its result.
  std::function<common::Result<T>(MysqlConnection&)> apply;
  // Run on a fresh connection when `apply` lost the server: reads back what the database
  // holds and says whether this write is there. The result `apply` would have returned when
  // it is; nullopt when it provably is not (nothing committed, so `apply` may run again); an
  // error when the stored state contradicts the write (conflict) or cannot be read. It must
  // wait for a commit that may still be in flight (a locking read), never guess past it.
  std::function<common::Result<std::optional<T>>(MysqlConnection&)> read_back;
};

// Runs blocking MySQL work off the I/O threads: a fixed pool of threads, each with its own
// MysqlConnection, opened on first use. A unit of work receives its thread's connection as
// its argument, valid only during the call.
//
// Lost connections (retry_rule.h): a connection the server has closed while idle (restart,
// wait_timeout) is noticed before the work starts and replaced, so the work runs once on a
// live one. When the connection is lost while the work runs, read() runs the work again
// once; write() never repeats blindly: it reads back first and runs again only when the
// write is provably absent. If MySQL stays down the caller gets unavailable within the
// connect timeout. A transaction the server rolls back on a lock conflict (deadlock, lock wait
// timeout, Galera certification failure) is handled the same way, with more runs and a pause
// before each (retry_rule.h). Safe for concurrent use; the destructor waits for running work.
class DbExecutor {
 public:
  DbExecutor(DatabaseUrl url, int threads);
  ~DbExecutor();
  // Waits for the work already handed over to finish (its completions are posted to the
  // caller's executor). The executor takes no work afterwards.
  void join() { pool_.join(); }

  // Runs read-only fn(connection) -> Result<T> on a pool thread and resumes the calling
  // coroutine on its own executor with the result. fn may run more than once.
  template <class T, class F>
  boost::asio::awaitable<Result<T>> read(F fn) {
    return on_pool<T>([this, fn = std::move(fn)]() { return read_sync<T>(fn); });
  }

  // Runs a write on a pool thread, at most once in effect (see DbWrite). Callers pass a named
  // DbWrite, not a braced temporary inside the co_await: GCC 12 destroys such a temporary's
  // lambdas twice when the coroutine resumes.
  template <class T>
  boost::asio::awaitable<Result<T>> write(DbWrite<T> work) {
    return on_pool<T>([this, work = std::move(work)]() { return write_sync<T>(work); });
  }

  // Reports every unit of work from now on (nullptr: none). Call before handing over work;
  // `metrics` must outlive the executor's work.
  void set_metrics(DbMetrics* metrics) { metrics_ = metrics; }

  // Whether MySQL answers a trivial query (for health checks).
  boost::asio::awaitable<Result<void>> probe() {
    return read<void>([](MysqlConnection& c) { return answers_query(c); });
  }

  // The same, blocking the caller: for start-up checks and glance-manage.
  template <class T, class F>
  Result<T> read_sync(const F& fn) {
    const auto started = std::chrono::steady_clock::now();
    if (metrics_) metrics_->started();
    Result<T> result = read_unmetered<T>(fn);
    if (metrics_) record(WorkKind::read_only, outcome_of(result), started);
    return result;
  }
  // Runs fn(connection) once, for work with no read-back (glance-manage's migrations and
  // purge, which an operator may simply start again): a lost connection or a lock conflict is
  // reported as unavailable, never retried.
  template <class T, class F>
  Result<T> run_once_sync(F fn) {
    return write_sync(DbWrite<T>{.apply = std::move(fn),
                                 .read_back = [](MysqlConnection&) -> Result<std::optional<T>> {
                                   return common::Error::unavailable(
                                       "lost the connection to MySQL or met a lock "
                                       "conflict; the work may be done in part, run it again");
                                 }});
  }
  template <class T>
  Result<T> write_sync(const DbWrite<T>& work) {
    const auto started = std::chrono::steady_clock::now();
    if (metrics_) metrics_->started();
    Result<T> result = write_unmetered(work);
    if (metrics_) record(WorkKind::write, outcome_of(result), started);
    return result;
  }

 private:
  using Attempt = std::function<void(MysqlConnection&)>;
  using ReadBack = std::function<WriteFinding(MysqlConnection&)>;

  template <class T, class F>
  Result<T> read_unmetered(const F& fn) {
    std::optional<Result<T>> result;
    auto ran = execute(
        WorkKind::read_only, [&](MysqlConnection& c) { result.emplace(fn(c)); }, nullptr);
    if (!ran) return ran.error();
    return std::move(*result);
  }
  template <class T>
  Result<T> write_unmetered(const DbWrite<T>& work) {
    std::optional<Result<T>> result;
    auto ran = execute(
        WorkKind::write, [&](MysqlConnection& c) { result.emplace(work.apply(c)); },
        [&](MysqlConnection& c) {
          auto found = work.read_back(c);
          if (!found) {
            result.emplace(found.error());
            return WriteFinding::unknown;
          }
          if (!*found) return WriteFinding::absent;
          result.emplace(std::move(**found));
          return WriteFinding::applied;
        });
    if (!ran) return ran.error();
    return std::move(*result);
  }

  static Result<void> answers_query(MysqlConnection& c);
  template <class T>
  static std::optional<common::Errc> outcome_of(const Result<T>& result) {
    if (result) return std::nullopt;
    return result.error().code();
  }
  void record(WorkKind kind, std::optional<common::Errc> error,
              std::chrono::steady_clock::time_point started);

  template <class T, class Job>
  boost::asio::awaitable<Result<T>> on_pool(Job job) {
    namespace net = boost::asio;
    return net::async_initiate<decltype(net::use_awaitable), void(Result<T>)>(
        [this, job = std::move(job)](auto handler) mutable {
          auto home = net::get_associated_executor(handler);
          net::post(pool_, [this, job = std::move(job), handler = std::move(handler),
                            work = net::make_work_guard(home),
                            posted = std::chrono::steady_clock::now()]() mutable {
            if (metrics_) metrics_->waited(std::chrono::steady_clock::now() - posted);
            Result<T> result = job();
            auto ex = work.get_executor();
            net::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
              std::move(handler)(std::move(result));
            });
          });
        },
        net::use_awaitable);
  }

  // Runs `attempt` (and `read_back` for writes) as retry_rule.h decides. Fails only when no
  // connection could be had; otherwise the callbacks hold the outcome.
  Result<void> execute(WorkKind kind, const Attempt& attempt, const ReadBack& read_back);
  // This thread's connection to this executor's database: opened if needed, replaced if the
  // server has closed it.
  Result<MysqlConnection*> live_connection();
  void drop_connection();

  DatabaseUrl url_;
  boost::asio::thread_pool pool_;
  DbMetrics* metrics_ = nullptr;
};

}  // namespace glance::registry
