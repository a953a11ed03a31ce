#include "api/api_metrics.h"

#include <prometheus/gauge.h>

namespace glance::api {

void add_api_metrics(common::metrics::Metrics& metrics, const ConcurrencyLimit& uploads,
                     const CopyJobs& copies) {
  auto& uploading = prometheus::BuildGauge()
                        .Name("glance_api_uploads_in_progress")
                        .Help("Image uploads being received (both APIs).")
                        .Register(metrics.registry())
                        .Add({});
  auto& copying = prometheus::BuildGauge()
                      .Name("glance_api_copies_in_progress")
                      .Help("copy_from jobs running.")
                      .Register(metrics.registry())
                      .Add({});
  metrics.on_scrape([&uploads, &copies, &uploading, &copying] {
    uploading.Set(static_cast<double>(uploads.in_use()));
    copying.Set(static_cast<double>(copies.running()));
  });
}

}  // namespace glance::api
