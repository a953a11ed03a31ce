#pragma once

#include "registry/db/mysql_connection.h"

#include <cstdint>
#include <string>
#include <type_traits>

namespace glance::registry {

// Runs body() inside a write transaction on `db`: committed when body succeeds, rolled back
// when it fails. Returns body's result, or the commit's failure.
//
// On Galera a transaction can be rolled back between two of its statements, by a write set
// replicated from another node that needs a row it holds (a brute-force abort), without the
// client hearing of it: with autocommit on, the statements after it would each commit alone,
// landing part of the transaction. So the transaction runs with autocommit off, which keeps
// such statements in an implicit transaction that never commits alone, and it opens with a
// guard row of its own (a fresh token in write_fences) that it deletes just before COMMIT:
// when that delete finds no row, the transaction was rolled back meanwhile; it is rolled back
// again and reports a lock conflict, which DbExecutor reads back and runs again
// (retry_rule.h). Nothing of the guard outlives the transaction.
template <class F>
auto in_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F>;

// Runs body(), which only reads (locking reads included), inside a transaction on `db`; no
// guard: a read-only transaction rolled back midway leaves nothing behind.
template <class F>
auto in_read_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  if (auto r = db.begin(); !r) return r.error();
  auto result = body();
  if (!result) {
    db.rollback();
    return result;
  }
  if (auto r = db.commit(); !r) return r.error();
  return result;
}

// Writes the guard row of the transaction open on `db` and returns its name.
Result<std::string> open_transaction_guard(MysqlConnection& db);
// Deletes the guard row `name`: succeeds when this transaction still holds it; otherwise
// marks a lock conflict on `db` and fails.
Result<void> close_transaction_guard(MysqlConnection& db, const std::string& name);

template <class F>
auto in_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  // With autocommit off, the guard's INSERT opens the transaction: no START TRANSACTION.
  if (auto r = db.execute_plain("SET autocommit = 0"); !r) return r.error();
  auto result = [&]() -> std::invoke_result_t<F> {
    auto guard = open_transaction_guard(db);
    if (!guard) {
      db.rollback();
      return guard.error();
    }
    auto out = body();
    if (!out) {
      db.rollback();
      return out;
    }
    if (auto r = close_transaction_guard(db, *guard); !r) {
      db.rollback();
      return r.error();
    }
    if (auto r = db.commit(); !r) return r.error();
    return out;
  }();
  // A connection left with autocommit off would hold the reads of later work in one
  // transaction: one that cannot turn it back on is discarded.
  if (!db.broken())
    if (auto r = db.execute_plain("SET autocommit = 1"); !r) db.discard();
  return result;
}

}  // namespace glance::registry
