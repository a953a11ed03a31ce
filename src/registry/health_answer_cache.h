#pragma once

#include "common/error.h"

#include <chrono>
#include <optional>
#include <variant>

namespace glance::registry {

// The bookkeeping behind a health check that asks the database: how long an answer is
// reused, and what checks get while the database is being asked. At most one question is in
// flight once an answer exists, so a database that hangs holds one executor thread, not one
// per check. Pure (times are passed in); not thread-safe: the caller holds a lock.
class HealthAnswerCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Ask the database, then call answered() with `owner` as given.
  struct Ask {
    bool owner = false;  // this question is the one other checks wait for
  };
  using Step = std::variant<common::Result<void>, Ask>;

  // `ttl`: how long an answer stands. `patience`: how long checks are given the previous
  // answer while a question is in flight; past it they get unavailable.
  HealthAnswerCache(Clock::duration ttl, Clock::duration patience)
      : ttl_(ttl), patience_(patience) {}

  // What a check arriving at `now` does: take an answer, or ask. Before the first answer
  // every check asks (nothing to give it yet).
  Step next(Clock::time_point now);
  // Records the answer to a question next() asked, received at `now`.
  void answered(common::Result<void> answer, Clock::time_point now, bool owner);

 private:
  Clock::duration ttl_;
  Clock::duration patience_;
  std::optional<common::Result<void>> last_;
  Clock::time_point last_at_{};
  std::optional<Clock::time_point> asking_since_;
};

}  // namespace glance::registry
