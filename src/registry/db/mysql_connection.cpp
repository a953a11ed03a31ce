#include "registry/db/mysql_connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <poll.h>
#include <spdlog/spdlog.h>

namespace glance::registry {

namespace {
constexpr unsigned kConnectTimeoutSeconds = 5;
// Long enough for the slowest list query, short enough that a hung server turns into a 503.
constexpr unsigned kReadWriteTimeoutSeconds = 30;
constexpr size_t kMaxCachedStatements = 256;
constexpr unsigned long kInlineColumnBytes = 256;

bool is_connection_loss(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT
      return true;
    default:
      return code >= 2000 && code < 3000;  // any other client-side (CR_*) failure
  }
}
}  // namespace

Result<std::unique_ptr<MysqlConnection>> MysqlConnection::connect(const DatabaseUrl& url) {
  MYSQL* m = mysql_init(nullptr);
  if (!m) return Error::internal("mysql_init failed");
  unsigned connect_timeout = kConnectTimeoutSeconds, rw_timeout = kReadWriteTimeoutSeconds;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
  mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* host = url.unix_socket.empty() ? url.host.c_str() : "localhost";
  const char* socket = url.unix_socket.empty() ? nullptr : url.unix_socket.c_str();
  if (!mysql_real_connect(m, host, url.user.c_str(), url.password.c_str(), url.database.c_str(),
                          url.port, socket, CLIENT_FOUND_ROWS)) {
    std::string why = mysql_error(m);
    mysql_close(m);
    return Error::unavailable("cannot connect to MySQL at " + url.redacted() + ": " + why);
  }
  // The registry stores and compares timestamps in UTC, whatever the server's zone.
  std::unique_ptr<MysqlConnection> conn(new MysqlConnection(m));
  if (auto r = conn->execute_plain("SET time_zone = '+00:00'"); !r) return r.error();
  // SHOW VARIABLES finds nothing (no error) on a server without Galera support.
  auto galera = conn->query("SHOW VARIABLES LIKE 'wsrep_on'");
  if (!galera) return galera.error();
  conn->galera_node_ = !galera->empty() && (*galera)[0].size() == 2 && (*galera)[0][1] == "ON";
  if (conn->galera_node_ && url.wsrep_sync_wait > 0) {
    // A registry behind HAProxy may read through one Galera node what another node's
    // registry has just written: make the read wait until this node has applied it.
    if (auto r = conn->execute_plain("SET SESSION wsrep_sync_wait = " +
                                     std::to_string(url.wsrep_sync_wait));
        !r)
      return r.error();
  }
  return conn;
}

MysqlConnection::~MysqlConnection() {
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  mysql_close(mysql_);
}

Error MysqlConnection::failure(unsigned code, const char* message, std::string_view sql) {
  if (is_connection_loss(code)) {
    broken_ = true;
    return Error::unavailable(std::string("lost the connection to MySQL: ") + message);
  }
  if (code == ER_DUP_ENTRY) return Error::conflict(message);
  if (code == ER_DATA_TOO_LONG || code == ER_TRUNCATED_WRONG_VALUE_FOR_FIELD ||
      code == ER_WARN_DATA_OUT_OF_RANGE)
    return Error::bad_request(message);
  if (code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT) {
    busy_ = true;
    return Error::unavailable(std::string("MySQL is busy: ") + message);
  }
  spdlog::error("MySQL error {} ({}) for: {}", code, message, sql);
  return Error::internal(std::string("database error: ") + message);
}

Error MysqlConnection::statement_failure(MYSQL_STMT* stmt, std::string_view sql) {
  if (mysql_stmt_errno(stmt) != 0)
    return failure(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
  if (mysql_errno(mysql_) != 0) return failure(mysql_errno(mysql_), mysql_error(mysql_), sql);
  // No error recorded anywhere: the connection is in an unknown state; treat it as lost.
  return failure(CR_SERVER_LOST, "the statement failed without an error from the server", sql);
}

bool MysqlConnection::closed_by_server() const {
  if (broken_) return true;
  // Between statements the server sends nothing unless it is going away: any readable byte
  // (an error packet such as ER_CLIENT_INTERACTION_TIMEOUT) or end of stream means closed.
  pollfd p{static_cast<int>(mysql_get_socket(mysql_)), POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) != 0;
}

void MysqlConnection::rollback() {
  if (!broken_) (void)execute_plain("ROLLBACK");
}

Result<void> MysqlConnection::execute_plain(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return failure(mysql_errno(mysql_), mysql_error(mysql_), sql);
  if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
  return {};
}

Result<MYSQL_STMT*> MysqlConnection::prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, stmt] : statements_) mysql_stmt_close(stmt);
    statements_.clear();
  }
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (!stmt) return failure(mysql_errno(mysql_), mysql_error(mysql_), sql);
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    auto err = statement_failure(stmt, sql);
    mysql_stmt_close(stmt);
    return err;
  }
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

Result<MYSQL_STMT*> MysqlConnection::run(std::string_view sql, std::span<const SqlValue> params) {
  auto prepared = prepare(sql);
  if (!prepared) return prepared.error();
  MYSQL_STMT* stmt = *prepared;
  if (mysql_stmt_param_count(stmt) != params.size())
    return Error::internal("parameter count mismatch for: " + std::string(sql));
  std::vector<MYSQL_BIND> binds(params.size());
  std::vector<unsigned long> lengths(params.size());
  std::vector<long long> ints(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    MYSQL_BIND& b = binds[i];
    if (auto* n = std::get_if<int64_t>(&params[i])) {
      ints[i] = *n;
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &ints[i];
    } else if (auto* s = std::get_if<std::string>(&params[i])) {
      lengths[i] = s->size();
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = const_cast<char*>(s->data());
      b.buffer_length = s->size();
      b.length = &lengths[i];
    } else {
      b.buffer_type = MYSQL_TYPE_NULL;
    }
  }
  if ((!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0) ||
      mysql_stmt_execute(stmt) != 0)
    return statement_failure(stmt, sql);
  return stmt;
}

Result<uint64_t> MysqlConnection::execute(std::string_view sql, std::span<const SqlValue> params) {
  auto stmt = run(sql, params);
  if (!stmt) return stmt.error();
  return static_cast<uint64_t>(mysql_stmt_affected_rows(*stmt));
}

Result<std::vector<SqlRow>> MysqlConnection::query(std::string_view sql,
                                                   std::span<const SqlValue> params) {
  auto ran = run(sql, params);
  if (!ran) return ran.error();
  MYSQL_STMT* stmt = *ran;
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
  if (!meta) return std::vector<SqlRow>{};
  const unsigned ncols = mysql_num_fields(meta);
  mysql_free_result(meta);

  std::vector<MYSQL_BIND> binds(ncols);
  std::vector<std::array<char, kInlineColumnBytes>> buffers(ncols);
  std::vector<unsigned long> lengths(ncols);
  std::vector<my_bool> nulls(ncols), errors(ncols);
  for (unsigned i = 0; i < ncols; ++i) {
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = buffers[i].data();
    binds[i].buffer_length = kInlineColumnBytes;
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
    binds[i].error = &errors[i];
  }
  if (mysql_stmt_bind_result(stmt, binds.data()) != 0) return statement_failure(stmt, sql);

  std::vector<SqlRow> rows;
  for (;;) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      auto err = statement_failure(stmt, sql);
      mysql_stmt_free_result(stmt);
      return err;
    }
    SqlRow row(ncols);
    for (unsigned i = 0; i < ncols; ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= kInlineColumnBytes) {
        row[i].emplace(buffers[i].data(), lengths[i]);
        continue;
      }
      // Longer than the inline buffer (a long property value): fetch it whole.
      std::string big(lengths[i], '\0');
      MYSQL_BIND b{};
      unsigned long len = 0;
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = big.data();
      b.buffer_length = big.size();
      b.length = &len;
      if (mysql_stmt_fetch_column(stmt, &b, i, 0) != 0) {
        auto err = statement_failure(stmt, sql);
        mysql_stmt_free_result(stmt);
        return err;
      }
      row[i] = std::move(big);
    }
    rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt);
  return rows;
}

}  // namespace glance::registry
