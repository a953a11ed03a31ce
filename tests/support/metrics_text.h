#pragma once

#include <string>

namespace glance::testing {

// The value of the series `series` (its name and labels exactly as exposed, e.g.
// `glance_db_operations_total{kind="read",outcome="ok"}`) in a Prometheus text exposition,
// or -1 when it is absent. For exact lookups; metrics_test.cpp parses with prometheus_client.
inline double series_value(const std::string& text, const std::string& series) {
  const std::string start = series + " ";
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, start.size(), start) == 0)
      return std::stod(text.substr(at + start.size(), end - at - start.size()));
    at = end + 1;
  }
  return -1;
}

}  // namespace glance::testing
