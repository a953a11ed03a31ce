#include "common/metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace glance::common::metrics {

void Metrics::on_scrape(std::function<void()> refresh) {
  std::lock_guard lock(mutex_);
  refreshers_.push_back(std::move(refresh));
}

std::string Metrics::scrape() {
  std::lock_guard lock(mutex_);
  for (const auto& refresh : refreshers_) refresh();
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace glance::common::metrics
