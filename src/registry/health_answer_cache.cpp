#include "registry/health_answer_cache.h"

#include <string>

namespace glance::registry {

HealthAnswerCache::Step HealthAnswerCache::next(Clock::time_point now) {
  if (last_ && now - last_at_ < ttl_) return *last_;
  if (!asking_since_) {
    asking_since_ = now;
    return Ask{.owner = true};
  }
  if (now - *asking_since_ >= patience_) {
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - *asking_since_);
    return common::Error::unavailable("the database has not answered the health check for " +
                                      std::to_string(waited.count()) + " s");
  }
  if (last_) return *last_;
  return Ask{.owner = false};
}

void HealthAnswerCache::answered(common::Result<void> answer, Clock::time_point now, bool owner) {
  last_ = std::move(answer);
  last_at_ = now;
  if (owner) asking_since_.reset();
}

}  // namespace glance::registry
