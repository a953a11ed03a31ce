// etc/glance-registry.conf documents every default truly: uncommenting all its example
// lines must give exactly the configuration of an empty file, with no unknown option.

#include "registry/registry_config.h"

#include "tests/support/shipped_config.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

TEST(ShippedConfig, EveryDocumentedDefaultIsTheRealDefaultAndEveryOptionIsKnown) {
  auto [shipped_file, empty_file, shipped, defaults] = testing::shipped_and_default_configs(
      "glance-registry.conf", "\nbind_port = 9191\n",
      [](common::ConfigFile& f) { return load_registry_config(f); });
  testing::expect_shared_options_equal(shipped, defaults);
  EXPECT_EQ(shipped.db_pool_size, defaults.db_pool_size);
  EXPECT_EQ(shipped.wsrep_sync_wait, defaults.wsrep_sync_wait);
  EXPECT_EQ(shipped.limit_param_default, defaults.limit_param_default);
  EXPECT_EQ(shipped.api_limit_max, defaults.api_limit_max);
  EXPECT_EQ(shipped.max_request_id_length, defaults.max_request_id_length);
  EXPECT_EQ(shipped.healthcheck_disable_file, defaults.healthcheck_disable_file);
  EXPECT_EQ(shipped.healthcheck_database_node, defaults.healthcheck_database_node);
}

}  // namespace
}  // namespace glance::registry
