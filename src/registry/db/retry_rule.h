#pragma once

#include <chrono>

namespace glance::registry {

// When DbExecutor may run a unit of work again after it failed for a reason that is not the
// work's own: a lost MySQL connection, or a transaction the server rolled back to resolve a
// lock conflict. Pure; the executor applies it, so the rule lives in one place.
//
// A lost connection tells nothing about how far the work got: a COMMIT may have reached the
// server just before the socket died. So only read-only work is simply run again. A write is
// first resolved by reading back on a fresh connection: when the write is there, its result
// is what the read-back found; only when the read-back proves it absent does the write run
// again. A connection found closed before the work starts never reaches the work (the
// executor opens a new one), so it needs no rule.
//
// A lock conflict (InnoDB's deadlock or lock wait timeout, and Galera's certification
// failure, which MariaDB reports as a deadlock) rolls the transaction back, but a unit of
// work may have committed an earlier transaction of its own, so a write is read back the same
// way. Conflicts come in bursts under contention: they get more runs, after a growing pause.

enum class WorkKind { read_only, write };

// Why a run of a unit of work did not count.
enum class AttemptFailure {
  none,             // it ran; its result stands, success or error
  lost_connection,  // the server went away during the run
  lock_conflict,    // the server rolled the transaction back (deadlock, lock wait, certification)
};

enum class NextStep {
  finish,     // hand the last result (or the read-back's) to the caller
  run_again,  // run the unit of work on a fresh connection
  read_back,  // resolve a write that may have been committed
};

// What the read-back of a write found.
enum class WriteFinding { applied, absent, unknown };

// At most this many runs of one unit of work that loses its connection.
inline constexpr int kMaxAttempts = 2;
// At most this many runs of one unit of work that meets lock conflicts.
inline constexpr int kMaxConflictAttempts = 6;

// After run number `attempts_made` (1-based) of a unit of work of `kind`.
NextStep after_attempt(WorkKind kind, AttemptFailure failure, int attempts_made);

// After the read-back of a write that failed as `failure` on run number `attempts_made`.
NextStep after_read_back(WriteFinding finding, AttemptFailure failure, int attempts_made);

// How long to wait before running again a unit of work whose run number `attempts_made`
// met a lock conflict, so that the conflicting transaction can finish: between half and all of
// 10 ms, doubling with each run up to 320 ms; `jitter` in [0, 1) picks where, so that
// colliding workers do not collide again.
std::chrono::milliseconds conflict_pause(int attempts_made, double jitter);

}  // namespace glance::registry
