#include "registry/db/db_executor.h"

namespace glance::registry {

namespace {
// One connection per thread and executor. The pool threads serve one executor; a thread
// calling run_sync may meet several (tests), hence the owner check.
struct ThreadConnection {
  const DbExecutor* owner = nullptr;
  std::unique_ptr<MysqlConnection> conn;
};
thread_local ThreadConnection t_connection;
}  // namespace

DbExecutor::DbExecutor(DatabaseUrl url, int threads)
    : url_(std::move(url)), pool_(static_cast<size_t>(std::max(1, threads))) {}

DbExecutor::~DbExecutor() {
  pool_.join();
  if (t_connection.owner == this) t_connection = {};
}

Result<MysqlConnection*> DbExecutor::connection() {
  if (t_connection.owner != this) t_connection = {this, nullptr};
  if (!t_connection.conn) {
    auto conn = MysqlConnection::connect(url_);
    if (!conn) return conn.error();
    t_connection.conn = std::move(*conn);
  }
  return t_connection.conn.get();
}

MysqlConnection& DbExecutor::current() {
  return *t_connection.conn;
}

void DbExecutor::drop_connection() {
  t_connection.conn.reset();
}

}  // namespace glance::registry
