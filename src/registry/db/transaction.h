#pragma once

#include "registry/db/mysql_connection.h"

#include <type_traits>

namespace glance::registry {

// Runs body() inside a transaction on `db`: committed when body succeeds, rolled back when it
// fails. Returns body's result, or the commit's failure.
template <class F>
auto in_transaction(MysqlConnection& db, F body) -> std::invoke_result_t<F> {
  if (auto r = db.begin(); !r) return r.error();
  auto result = body();
  if (!result) {
    db.rollback();
    return result;
  }
  if (auto r = db.commit(); !r) return r.error();
  return result;
}

}  // namespace glance::registry
