#include "registry/db/retry_rule.h"

namespace glance::registry {

NextStep after_attempt(WorkKind kind, bool lost_connection, int attempts_made) {
  if (!lost_connection) return NextStep::finish;
  // Even the last run of a write is read back: its caller deserves the stored result rather
  // than an error for a write that did land.
  if (kind == WorkKind::write) return NextStep::read_back;
  return attempts_made < kMaxAttempts ? NextStep::run_again : NextStep::finish;
}

NextStep after_read_back(WriteFinding finding, int attempts_made) {
  if (finding != WriteFinding::absent) return NextStep::finish;
  return attempts_made < kMaxAttempts ? NextStep::run_again : NextStep::finish;
}

}  // namespace glance::registry
