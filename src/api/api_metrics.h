#pragma once

#include "api/concurrency_limit.h"
#include "api/copy_jobs.h"
#include "common/metrics/metrics.h"

namespace glance::api {

// glance-api's own gauges, read at each scrape: glance_api_uploads_in_progress (both APIs'
// uploads, against max_concurrent_uploads) and glance_api_copies_in_progress (copy_from jobs,
// against max_concurrent_copies). `uploads` and `copies` must outlive `metrics`' scrapes.
void add_api_metrics(common::metrics::Metrics& metrics, const ConcurrencyLimit& uploads,
                     const CopyJobs& copies);

}  // namespace glance::api
