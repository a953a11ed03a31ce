#pragma once

#include "registry/db/mysql_connection.h"

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

namespace glance::registry {

// Runs body() inside a transaction on `db`: committed when body succeeds, rolled back when it
// fails. Returns body's result, or the commit's failure. On a Galera node a write transaction
// is guarded (in_guarded_transaction); on one MySQL server it is not, since a transaction there
// is never rolled back between statements without the client hearing of it.
template <class F>
auto in_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F>;

// in_transaction without the guard: for transactions that only read (locking reads
// included), which leave nothing behind when rolled back midway, and for those that carry a
// check of their own (in_fenced_transaction).
template <class F>
auto in_plain_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F>;

// On Galera a transaction can be rolled back between two of its statements, by a write set
// replicated from another node that needs a row it holds (a brute-force abort), without the
// client hearing of it: with autocommit on, the statements after it would each commit alone,
// landing part of the transaction. So this runs the transaction with autocommit off, which
// keeps such statements in an implicit transaction that never commits alone, and writes first
// a guard row of its own (a fresh token in write_fences) that it deletes just before COMMIT:
// when that delete finds no row, the transaction was rolled back meanwhile; it is rolled back
// again and reports a lock conflict, which DbExecutor reads back and runs again
// (retry_rule.h). Nothing of the guard outlives the transaction.
template <class F>
auto in_guarded_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F>;

// Runs body() with autocommit off on `db`, and turns it back on afterwards; a connection that
// cannot is discarded, since it would hold the reads of later work in one transaction.
template <class F>
auto with_autocommit_off(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  if (auto r = db.execute_plain("SET autocommit = 0"); !r) return r.error();
  auto result = body();
  if (!db.broken())
    if (auto r = db.execute_plain("SET autocommit = 1"); !r) db.discard();
  return result;
}

// Writes the guard row of the transaction open on `db` and returns its name.
Result<std::string> open_transaction_guard(MysqlConnection& db);
// Deletes the guard row `name`: succeeds when this transaction still holds it; otherwise
// marks a lock conflict on `db` and fails.
Result<void> close_transaction_guard(MysqlConnection& db, const std::string& name);

template <class F>
auto in_plain_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  if (auto r = db.begin(); !r) return r.error();
  auto result = body();
  if (!result) {
    db.rollback();
    return result;
  }
  if (auto r = db.commit(); !r) return r.error();
  return result;
}

template <class F>
auto in_guarded_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  return with_autocommit_off(db, [&]() -> std::invoke_result_t<F> {
    // START TRANSACTION, not the guard's INSERT, opens it: it is the statement a Galera node
    // makes wait until it has applied what the cluster committed (wsrep_sync_wait 1). A
    // transaction opened by the INSERT reads, locking reads included, only what the node had
    // applied, and would not find a row another node has just committed.
    if (auto r = db.begin(); !r) return r.error();
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
  });
}

template <class F>
auto in_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  if (db.galera_node()) return in_guarded_transaction(db, std::move(body));
  return in_plain_transaction(db, std::move(body));
}

}  // namespace glance::registry
