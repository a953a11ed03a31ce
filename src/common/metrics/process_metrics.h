#pragma once

#include "common/metrics/metrics.h"

namespace glance::common::metrics {

// The process metrics every Prometheus client library exports, under their standard names:
// process_open_fds, process_max_fds, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_cpu_seconds_total and process_start_time_seconds,
// read from /proc/self at each scrape.
void add_process_metrics(Metrics& metrics);

}  // namespace glance::common::metrics
