#include "registry/node_health.h"

#include "registry/db/node_state.h"

namespace glance::registry {

boost::asio::awaitable<Result<void>> NodeHealth::check() {
  HealthAnswerCache::Step step;
  {
    std::lock_guard lock(mutex_);
    step = cache_.next(HealthAnswerCache::Clock::now());
  }
  if (auto* answer = std::get_if<Result<void>>(&step)) co_return *answer;
  const bool owner = std::get<HealthAnswerCache::Ask>(step).owner;
  auto answer = co_await db_.read<void>([](MysqlConnection& c) { return check_node_serves(c); });
  {
    std::lock_guard lock(mutex_);
    cache_.answered(answer, HealthAnswerCache::Clock::now(), owner);
  }
  co_return answer;
}

}  // namespace glance::registry
