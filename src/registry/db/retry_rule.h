#pragma once

namespace glance::registry {

// When DbExecutor may run a unit of work again after losing the MySQL connection. Pure; the
// executor applies it, so the rule lives in one place.
//
// A lost connection tells nothing about how far the work got: a COMMIT may have reached the
// server just before the socket died. So only read-only work is simply run again. A write is
// first resolved by reading back on a fresh connection: when the write is there, its result
// is what the read-back found; only when the read-back proves it absent does the write run
// again. A connection found closed before the work starts never reaches the work (the
// executor opens a new one), so it needs no rule.

enum class WorkKind { read_only, write };

enum class NextStep {
  finish,     // hand the last result (or the read-back's) to the caller
  run_again,  // run the unit of work on a fresh connection
  read_back,  // resolve a write that may have been committed
};

// What the read-back of a write found.
enum class WriteFinding { applied, absent, unknown };

// At most this many runs of one unit of work.
inline constexpr int kMaxAttempts = 2;

// After run number `attempts_made` (1-based) of a unit of work of `kind`.
NextStep after_attempt(WorkKind kind, bool lost_connection, int attempts_made);

// After the read-back of a write that lost its connection on run number `attempts_made`.
NextStep after_read_back(WriteFinding finding, int attempts_made);

}  // namespace glance::registry
