#pragma once

#include "common/error.h"
#include "registry/db/database_url.h"
#include "registry/db/mysql_connection.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace glance::registry {

// Runs blocking MySQL work off the I/O threads: a fixed pool of threads, each with its own
// MysqlConnection, opened on first use. A unit of work that loses the server is retried
// once on a fresh connection, so the first request after a MySQL restart succeeds; if MySQL
// is still down the caller gets unavailable within the connect timeout. Safe for concurrent
// use; the destructor waits for running work.
class DbExecutor {
 public:
  DbExecutor(DatabaseUrl url, int threads);
  ~DbExecutor();

  // Runs fn(connection) on a pool thread and resumes the calling coroutine on its own
  // executor with the result.
  template <class T, class F>
  boost::asio::awaitable<Result<T>> run(F fn) {
    namespace net = boost::asio;
    return net::async_initiate<decltype(net::use_awaitable), void(Result<T>)>(
        [this, fn = std::move(fn)](auto handler) mutable {
          auto home = net::get_associated_executor(handler);
          net::post(pool_, [this, fn = std::move(fn), handler = std::move(handler),
                            work = net::make_work_guard(home)]() mutable {
            Result<T> result = with_connection<T>(fn);
            auto ex = work.get_executor();
            net::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
              std::move(handler)(std::move(result));
            });
          });
        },
        net::use_awaitable);
  }

  // The connection of the unit of work running on this thread; valid only inside fn.
  // Repositories use it as their ConnectionSource.
  static MysqlConnection& current();

  // The same, blocking the caller: for start-up checks and glance-manage.
  template <class T, class F>
  Result<T> run_sync(F fn) {
    return with_connection<T>(fn);
  }

 private:
  template <class T, class F>
  Result<T> with_connection(F& fn) {
    for (int attempt = 0;; ++attempt) {
      auto conn = connection();
      if (!conn) return conn.error();
      Result<T> result = fn(**conn);
      if (!(*conn)->broken() || attempt > 0) {
        if ((*conn)->broken()) drop_connection();
        return result;
      }
      drop_connection();
    }
  }
  // This thread's connection to this executor's database, opened if needed.
  Result<MysqlConnection*> connection();
  void drop_connection();

  DatabaseUrl url_;
  boost::asio::thread_pool pool_;
};

}  // namespace glance::registry
