#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace glance::common::metrics {

// One daemon's metrics: a Prometheus registry (prometheus-cpp's core library) that counters,
// gauges and histograms are added to, plus the gauges read from elsewhere (open connections,
// uploads in progress, the process's descriptors) refreshed when scraped. Labels never carry
// an image id, a tenant or anything else a client chooses without bound. Thread-safe.
class Metrics {
 public:
  prometheus::Registry& registry() { return registry_; }
  // `refresh` runs at the start of every scrape, to set gauges from their source.
  void on_scrape(std::function<void()> refresh);
  // Every metric in Prometheus' text exposition format (version 0.0.4).
  std::string scrape();

 private:
  prometheus::Registry registry_;
  std::mutex mutex_;  // guards refreshers_, and serializes scrapes
  std::vector<std::function<void()>> refreshers_;
};

}  // namespace glance::common::metrics
