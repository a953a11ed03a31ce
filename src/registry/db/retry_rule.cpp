#include "registry/db/retry_rule.h"

#include <algorithm>

namespace glance::registry {

namespace {
int budget(AttemptFailure failure) {
  return failure == AttemptFailure::lock_conflict ? kMaxConflictAttempts : kMaxAttempts;
}
}  // namespace

NextStep after_attempt(WorkKind kind, AttemptFailure failure, int attempts_made) {
  if (failure == AttemptFailure::none) return NextStep::finish;
  // Even the last run of a write is read back: its caller deserves the stored result rather
  // than an error for a write that did land.
  if (kind == WorkKind::write) return NextStep::read_back;
  return attempts_made < budget(failure) ? NextStep::run_again : NextStep::finish;
}

NextStep after_read_back(WriteFinding finding, AttemptFailure failure, int attempts_made) {
  if (finding != WriteFinding::absent) return NextStep::finish;
  return attempts_made < budget(failure) ? NextStep::run_again : NextStep::finish;
}

std::chrono::milliseconds conflict_pause(int attempts_made, double jitter) {
  const int doublings = std::clamp(attempts_made - 1, 0, 5);
  const auto base = std::chrono::milliseconds(10 << doublings);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return base / 2 + std::chrono::milliseconds(static_cast<int64_t>(base.count() * jitter / 2));
}

}  // namespace glance::registry
