#pragma once

#include "common/error.h"
#include "registry/db/database_url.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct st_mysql;
struct st_mysql_stmt;

namespace glance::registry {

using common::Error;
using common::Result;

// A value bound to a `?` of a prepared statement.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

// One libmysqlclient connection. Every statement is prepared (values only ever travel as
// bound parameters) and cached per SQL text. A call that loses the server marks the
// connection broken; the owner then discards it. Blocking: use only from DbExecutor threads.
// Not thread-safe.
class MysqlConnection {
 public:
  // Connects with bounded connect/read/write timeouts. unavailable when MySQL is down.
  static Result<std::unique_ptr<MysqlConnection>> connect(const DatabaseUrl& url);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs a SELECT and returns every row, each column as text (NULL as nullopt).
  Result<std::vector<SqlRow>> query(std::string_view sql, std::span<const SqlValue> params = {});
  // Runs a statement; returns the rows it matched (CLIENT_FOUND_ROWS), not just changed.
  // A duplicate key is reported as conflict.
  Result<uint64_t> execute(std::string_view sql, std::span<const SqlValue> params = {});
  // Runs plain SQL without parameters (DDL in migrations, transaction control).
  Result<void> execute_plain(std::string_view sql);

  Result<void> begin() { return execute_plain("START TRANSACTION"); }
  Result<void> commit() { return execute_plain("COMMIT"); }
  void rollback();

  // True once the server connection is lost; the connection must then be discarded.
  bool broken() const { return broken_; }
  // True when the idle connection has been closed (or is being closed) by the server, as on
  // a restart or wait_timeout expiry. A local check, no round trip; call it between
  // statements only.
  bool closed_by_server() const;
  // True when a statement since the last call failed because InnoDB rolled the transaction
  // back to break a deadlock or a lock wait (ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT), which
  // is also how Galera reports a certification conflict. Resets the mark.
  bool take_busy() { return std::exchange(busy_, false); }
  // Marks a lock conflict, as a deadlock error would, for a transaction found rolled back by
  // the server without an error reaching this connection (write_fence.h); returns the error.
  Error lost_transaction(const std::string& why) {
    busy_ = true;
    return Error::unavailable("MySQL is busy: " + why);
  }
  // Marks the connection for discarding, as if lost: its session state is not the one its
  // users expect.
  void discard() { broken_ = true; }
  // True when the server is a Galera node (wsrep_on), as it said when this connection opened.
  bool galera_node() const { return galera_node_; }

 private:
  explicit MysqlConnection(st_mysql* mysql) : mysql_(mysql) {}
  Result<st_mysql_stmt*> prepare(std::string_view sql);
  Result<st_mysql_stmt*> run(std::string_view sql, std::span<const SqlValue> params);
  Error failure(unsigned code, const char* message, std::string_view sql);
  // The failure of a statement call: the statement's error, or the connection's when the
  // server's error arrived while rows were streaming (libmariadb then leaves the statement's
  // error unset; seen with a Galera node aborting the transaction mid-fetch).
  Error statement_failure(st_mysql_stmt* stmt, std::string_view sql);

  st_mysql* mysql_;
  std::map<std::string, st_mysql_stmt*, std::less<>> statements_;
  bool broken_ = false;
  bool busy_ = false;
  bool galera_node_ = false;
};

}  // namespace glance::registry
