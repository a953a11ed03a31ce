// etc/glance-registry.conf documents every default truly: uncommenting all its example
// lines must give exactly the configuration of an empty file, with no unknown option.

#include "registry/registry_config.h"

#include "tests/support/shipped_config.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

TEST(ShippedConfig, EveryDocumentedDefaultIsTheRealDefaultAndEveryOptionIsKnown) {
  std::string text = testing::uncommented_shipped_config("glance-registry.conf");
  auto shipped_file = common::ConfigFile::from_string(text);
  auto shipped = load_registry_config(shipped_file);
  EXPECT_TRUE(shipped_file.unknown_options().empty())
      << "first unknown: " << shipped_file.unknown_options().front();
  EXPECT_TRUE(shipped_file.errors().empty()) << shipped_file.errors().front();
  EXPECT_NE(text.find("\nbind_port = 9191\n"), std::string::npos) << text;

  auto empty_file = common::ConfigFile::from_string("");
  auto defaults = load_registry_config(empty_file);
  EXPECT_EQ(shipped.server.bind_host, defaults.server.bind_host);
  EXPECT_EQ(shipped.server.bind_port, defaults.server.bind_port);
  EXPECT_EQ(shipped.server.workers, defaults.server.workers);
  EXPECT_EQ(shipped.server.backlog, defaults.server.backlog);
  EXPECT_EQ(shipped.server.http_keepalive, defaults.server.http_keepalive);
  EXPECT_EQ(shipped.server.client_socket_timeout, defaults.server.client_socket_timeout);
  EXPECT_EQ(shipped.server.max_header_line, defaults.server.max_header_line);
  EXPECT_EQ(shipped.server.shutdown_grace, defaults.server.shutdown_grace);
  EXPECT_EQ(shipped.log.debug, defaults.log.debug);
  EXPECT_EQ(shipped.log.use_stderr, defaults.log.use_stderr);
  EXPECT_EQ(shipped.log.use_syslog, defaults.log.use_syslog);
  EXPECT_EQ(shipped.log.syslog_log_facility, defaults.log.syslog_log_facility);
  EXPECT_EQ(shipped.context.admin_role, defaults.context.admin_role);
  EXPECT_EQ(shipped.context.owner_is_tenant, defaults.context.owner_is_tenant);
  EXPECT_EQ(shipped.context.allow_anonymous_access, defaults.context.allow_anonymous_access);
  EXPECT_EQ(shipped.context.flavor, defaults.context.flavor);
  EXPECT_EQ(shipped.db_pool_size, defaults.db_pool_size);
  EXPECT_EQ(shipped.wsrep_sync_wait, defaults.wsrep_sync_wait);
  EXPECT_EQ(shipped.limit_param_default, defaults.limit_param_default);
  EXPECT_EQ(shipped.api_limit_max, defaults.api_limit_max);
  EXPECT_EQ(shipped.max_request_id_length, defaults.max_request_id_length);
  EXPECT_EQ(shipped.healthcheck_disable_file, defaults.healthcheck_disable_file);
}

}  // namespace
}  // namespace glance::registry
