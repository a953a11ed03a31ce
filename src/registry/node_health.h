#pragma once

#include "registry/db/db_executor.h"
#include "registry/health_answer_cache.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <mutex>

namespace glance::registry {

// Whether this registry's database node may serve (db/node_state.h), for the health check a
// load balancer asks every few hundred milliseconds: asked on the executor's threads, never on
// an I/O thread, at most about once per `ttl`, the answer shared by the checks meanwhile
// (health_answer_cache.h). Safe for concurrent use; `db` must outlive it.
class NodeHealth {
 public:
  // Long enough that several load balancers checking twice a second cost one query a
  // second; short enough that a node is taken out within a check interval or two.
  static constexpr std::chrono::milliseconds kDefaultTtl{1000};
  // A question that has not come back by then answers 503 until it does.
  static constexpr std::chrono::milliseconds kPatience{3000};

  explicit NodeHealth(DbExecutor& db, std::chrono::milliseconds ttl = kDefaultTtl)
      : db_(db), cache_(ttl, kPatience) {}

  // Ok, or unavailable with the reason (the database does not answer, or its Galera node is
  // not ready and synced).
  boost::asio::awaitable<Result<void>> check();

 private:
  DbExecutor& db_;
  std::mutex mutex_;
  HealthAnswerCache cache_;
};

}  // namespace glance::registry
