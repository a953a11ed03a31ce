// [DEFAULT] metrics_bind_port and metrics_bind_host as load_metrics_listener_options reads them.

#include "common/metrics/daemon_metrics.h"

#include <gtest/gtest.h>

namespace glance::common::metrics {
namespace {

TEST(MetricsOptions, UnsetOrEmptyKeepsMetricsOnTheApiListener) {
  for (const std::string ini : {"[DEFAULT]\n", "[DEFAULT]\nmetrics_bind_port =\n"}) {
    auto file = ConfigFile::from_string(ini);
    auto o = load_metrics_listener_options(file);
    EXPECT_FALSE(o.port) << ini;
    EXPECT_EQ(o.host, "");
    EXPECT_TRUE(file.errors().empty());
    EXPECT_TRUE(file.unknown_options().empty());
  }
}

TEST(MetricsOptions, APortOfItsOwnZeroIncluded) {
  auto file = ConfigFile::from_string("[DEFAULT]\nmetrics_bind_port = 0\n");
  auto o = load_metrics_listener_options(file);
  ASSERT_TRUE(o.port);
  EXPECT_EQ(*o.port, 0);
  file = ConfigFile::from_string(
      "[DEFAULT]\nmetrics_bind_port = 9102\nmetrics_bind_host = 127.0.0.1\n");
  o = load_metrics_listener_options(file);
  EXPECT_EQ(o.port, std::optional<uint16_t>(9102));
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_TRUE(file.errors().empty());
}

TEST(MetricsOptions, BadPortsAreErrorsNamingTheOption) {
  for (const std::string bad : {"-1", "65536", "ninety", "9102x"}) {
    auto file = ConfigFile::from_string("[DEFAULT]\nmetrics_bind_port = " + bad + "\n");
    load_metrics_listener_options(file);
    ASSERT_EQ(file.errors().size(), 1u) << bad;
    EXPECT_NE(file.errors()[0].find("metrics_bind_port"), std::string::npos);
  }
}

}  // namespace
}  // namespace glance::common::metrics
