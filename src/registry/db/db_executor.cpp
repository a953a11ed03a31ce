#include "registry/db/db_executor.h"

#include "registry/db/mysql_connection.h"

#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace glance::registry {

namespace {
// One connection per thread and executor. The pool threads serve one executor; a thread
// calling the *_sync functions may meet several (tests), hence the owner check.
struct ThreadConnection {
  const DbExecutor* owner = nullptr;
  std::unique_ptr<MysqlConnection> conn;
};
thread_local ThreadConnection t_connection;

// In [0, 1): spreads the runs of workers that met the same conflict.
double jitter() {
  thread_local std::minstd_rand random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}
}  // namespace

DbExecutor::DbExecutor(DatabaseUrl url, int threads)
    : url_(std::move(url)), pool_(static_cast<size_t>(std::max(1, threads))) {}

DbExecutor::~DbExecutor() {
  pool_.join();
  if (t_connection.owner == this) t_connection = {};
}

Result<MysqlConnection*> DbExecutor::live_connection() {
  if (t_connection.owner != this) t_connection = {this, nullptr};
  // Nothing has run on a connection found closed, so replacing it is safe for any work.
  if (t_connection.conn && t_connection.conn->closed_by_server()) t_connection.conn.reset();
  if (!t_connection.conn) {
    auto conn = MysqlConnection::connect(url_);
    if (!conn) return conn.error();
    t_connection.conn = std::move(*conn);
  }
  return t_connection.conn.get();
}

Result<void> DbExecutor::answers_query(MysqlConnection& c) {
  auto rows = c.query("SELECT 1");
  if (!rows) return rows.error();
  return {};
}

void DbExecutor::record(WorkKind kind, std::optional<common::Errc> error,
                        std::chrono::steady_clock::time_point started) {
  metrics_->finished(kind, error, std::chrono::steady_clock::now() - started);
}

void DbExecutor::drop_connection() {
  t_connection.conn.reset();
}

Result<void> DbExecutor::execute(WorkKind kind, const Attempt& attempt, const ReadBack& read_back) {
  for (int attempts = 1;; ++attempts) {
    auto conn = live_connection();
    if (!conn) return conn.error();
    (void)(*conn)->take_busy();
    attempt(**conn);
    AttemptFailure failure = AttemptFailure::none;
    if ((*conn)->broken()) {
      failure = AttemptFailure::lost_connection;
      drop_connection();
    } else if ((*conn)->take_busy()) {
      failure = AttemptFailure::lock_conflict;
    }
    NextStep step = after_attempt(kind, failure, attempts);
    if (step == NextStep::read_back) {
      WriteFinding finding = WriteFinding::unknown;
      // A read-back is a read: one that meets a lock conflict itself (on Galera, a replicated
      // write aborts local transactions holding the rows it needs) simply runs again.
      for (int reads = 1;; ++reads) {
        auto fresh = live_connection();
        if (!fresh) return fresh.error();
        (void)(*fresh)->take_busy();
        finding = read_back(**fresh);
        if ((*fresh)->broken()) {
          drop_connection();
          finding = WriteFinding::unknown;
          break;
        }
        if (!(*fresh)->take_busy() || reads >= kMaxConflictAttempts) break;
        std::this_thread::sleep_for(conflict_pause(reads, jitter()));
      }
      if (finding == WriteFinding::unknown)
        spdlog::warn("a write {} and could not be read back",
                     failure == AttemptFailure::lost_connection ? "lost its MySQL connection"
                                                                : "met a lock conflict");
      step = after_read_back(finding, failure, attempts);
    }
    if (step == NextStep::finish) return {};
    if (metrics_) metrics_->retried(failure);
    if (failure == AttemptFailure::lock_conflict) {
      spdlog::info("lock conflict in MySQL (run {} of a unit of work): running it again", attempts);
      std::this_thread::sleep_for(conflict_pause(attempts, jitter()));
    }
  }
}

}  // namespace glance::registry
