#pragma once

#include "registry/db/mysql_connection.h"
#include "registry/db/transaction.h"

#include <string>
#include <type_traits>

namespace glance::registry {

// Serializes check-then-write transactions that must not interleave (counting an owner's
// stored bytes before reserving more, counting an image's members or tags before adding one),
// on one MySQL server and across a Galera cluster alike. Row locks taken by reads are local to
// a Galera node, and named locks (GET_LOCK) are refused there, so each such transaction first
// writes the fence row of what it checks: on one server the row lock makes the others wait
// until it ends; across nodes, certification lets only one of two such transactions commit
// and rolls the other back with a deadlock error, which DbExecutor runs again
// (retry_rule.h).
//
// On Galera a transaction can also be rolled back between two of its statements, by a write
// set replicated from another node that needs a row it holds (a brute-force abort), without
// the registry hearing of it (see in_guarded_transaction, transaction.h). So a fenced
// transaction runs with autocommit off, on one server as on Galera, and reads back before its
// COMMIT the token its fence write stored: one rolled back meanwhile no longer finds it, is
// rolled back, and reports a lock conflict, which DbExecutor runs again. That check is its
// guard; it needs no other.
//
// Runs body() in a transaction inside the fence `name`: committed when body succeeds and the
// fence is still this transaction's, rolled back otherwise.
template <class F>
auto in_fenced_transaction(MysqlConnection& db, const std::string& name, F body)
    -> std::invoke_result_t<F>;

// Writes a fresh token into the fence row `name` (created on first use) and returns it.
// Call it first in the transaction, before the reads it protects.
Result<int64_t> enter_fence(MysqlConnection& db, const std::string& name);
// Succeeds when the fence row `name` still holds `token` as seen by this transaction, that
// is when the transaction that wrote it is still open; otherwise marks a lock conflict on
// `db` and fails.
Result<void> confirm_fence(MysqlConnection& db, const std::string& name, int64_t token);

// The fence name for the storage quota of `owner` ("" for ownerless images).
std::string owner_fence(const std::string& owner);
// The fence name for the members and tags of image `image_id`.
std::string image_fence(const std::string& image_id);

template <class F>
auto in_fenced_transaction(MysqlConnection& db, const std::string& name, F body)
    -> std::invoke_result_t<F> {
  return with_autocommit_off(db, [&]() {
    return in_plain_transaction(db, [&]() -> std::invoke_result_t<F> {
      auto token = enter_fence(db, name);
      if (!token) return token.error();
      auto out = body();
      if (!out) return out;
      if (auto r = confirm_fence(db, name, *token); !r) return r.error();
      return out;
    });
  });
}

}  // namespace glance::registry
