#pragma once

#include "common/error.h"
#include "common/metrics/metrics.h"
#include "registry/db/retry_rule.h"

#include <chrono>
#include <optional>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace glance::registry {

// The registry's database pool (DbExecutor), as the executor reports it:
//   glance_registry_db_operations_total{kind,outcome}    units of work done; kind read or
//       write; outcome ok, error (the work's own answer: not found, conflict, ...) or
//       unavailable (MySQL unreachable or lost)
//   glance_registry_db_operation_duration_seconds{kind}  histogram, runs and retries included
//   glance_registry_db_queue_wait_seconds                histogram, hand-over to a pool thread
//   glance_registry_db_retries_total{reason}              runs repeated: lost_connection,
//       lock_conflict
//   glance_registry_db_connections_in_use, glance_registry_db_pool_size   gauges
// Series are resolved here once, so recording costs atomic operations and a histogram
// observation. Safe for concurrent use; `metrics` must outlive it.
class DbMetrics {
 public:
  DbMetrics(common::metrics::Metrics& metrics, int pool_size);

  void waited(std::chrono::duration<double> queued);
  void started();
  // `error` is the code of the work's error, nullopt when it succeeded.
  void finished(WorkKind kind, std::optional<common::Errc> error,
                std::chrono::duration<double> took);
  void retried(AttemptFailure why);

 private:
  prometheus::Counter* operations_[2][3] = {};  // [read, write][ok, error, unavailable]
  prometheus::Histogram* durations_[2] = {};
  prometheus::Histogram* queue_wait_ = nullptr;
  prometheus::Counter* retries_[2] = {};  // lost_connection, lock_conflict
  prometheus::Gauge* in_use_ = nullptr;
};

}  // namespace glance::registry
