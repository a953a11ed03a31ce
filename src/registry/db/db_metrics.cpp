#include "registry/db/db_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

namespace glance::registry {

namespace {
const prometheus::Histogram::BucketBoundaries kBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}  // namespace

DbMetrics::DbMetrics(common::metrics::Metrics& metrics, int pool_size) {
  auto& registry = metrics.registry();
  auto& operations = prometheus::BuildCounter()
                         .Name("glance_registry_db_operations_total")
                         .Help("Units of database work, by kind (read, write) and outcome.")
                         .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("glance_registry_db_operation_duration_seconds")
                        .Help(
                            "Time a unit of database work took on its pool thread, retries "
                            "included, in seconds.")
                        .Register(registry);
  const char* kinds[2] = {"read", "write"};
  const char* outcomes[3] = {"ok", "error", "unavailable"};
  for (int k = 0; k < 2; ++k) {
    for (int o = 0; o < 3; ++o)
      operations_[k][o] = &operations.Add({{"kind", kinds[k]}, {"outcome", outcomes[o]}});
    durations_[k] = &durations.Add({{"kind", kinds[k]}}, kBuckets);
  }
  queue_wait_ = &prometheus::BuildHistogram()
                     .Name("glance_registry_db_queue_wait_seconds")
                     .Help("Time a unit of database work waited for a pool thread, in seconds.")
                     .Register(registry)
                     .Add({}, kBuckets);
  auto& retries = prometheus::BuildCounter()
                      .Name("glance_registry_db_retries_total")
                      .Help("Runs of database work repeated, by reason.")
                      .Register(registry);
  retries_[0] = &retries.Add({{"reason", "lost_connection"}});
  retries_[1] = &retries.Add({{"reason", "lock_conflict"}});
  in_use_ = &prometheus::BuildGauge()
                 .Name("glance_registry_db_connections_in_use")
                 .Help("Database connections running a unit of work now.")
                 .Register(registry)
                 .Add({});
  prometheus::BuildGauge()
      .Name("glance_registry_db_pool_size")
      .Help("Threads (each with its own connection) in the database pool: db_pool_size.")
      .Register(registry)
      .Add({})
      .Set(pool_size);
}

void DbMetrics::waited(std::chrono::duration<double> queued) {
  queue_wait_->Observe(queued.count());
}

void DbMetrics::started() {
  in_use_->Increment();
}

void DbMetrics::finished(WorkKind kind, std::optional<common::Errc> error,
                         std::chrono::duration<double> took) {
  in_use_->Decrement();
  const int k = kind == WorkKind::write ? 1 : 0;
  const int o = !error ? 0 : *error == common::Errc::unavailable ? 2 : 1;
  operations_[k][o]->Increment();
  durations_[k]->Observe(took.count());
}

void DbMetrics::retried(AttemptFailure why) {
  if (why == AttemptFailure::none) return;
  retries_[why == AttemptFailure::lock_conflict ? 1 : 0]->Increment();
}

}  // namespace glance::registry
