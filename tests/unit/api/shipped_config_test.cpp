// etc/glance-api.conf documents every default truly: uncommenting all its example lines must
// give exactly the configuration of an empty file, with no unknown option.

#include "api/api_config.h"
#include "api/authorizer.h"
#include "common/policy/policy_document.h"
#include "store/file/file_driver.h"
#include "store/rbd/rbd_driver.h"
#include "store/swift/swift_driver.h"

#include "tests/support/shipped_config.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

TEST(ShippedApiConfig, EveryDocumentedDefaultIsTheRealDefaultAndEveryOptionIsKnown) {
  std::string text = testing::uncommented_shipped_config("glance-api.conf");
  auto shipped_file = common::ConfigFile::from_string(text);
  auto shipped = load_api_config(shipped_file);
  EXPECT_TRUE(shipped_file.unknown_options().empty())
      << "first unknown: " << shipped_file.unknown_options().front();
  EXPECT_TRUE(shipped_file.errors().empty()) << shipped_file.errors().front();
  EXPECT_NE(text.find("\nbind_port = 9292\n"), std::string::npos) << text;

  auto empty_file = common::ConfigFile::from_string("");
  auto defaults = load_api_config(empty_file);
  EXPECT_EQ(shipped.server.bind_host, defaults.server.bind_host);
  EXPECT_EQ(shipped.server.bind_port, defaults.server.bind_port);
  EXPECT_EQ(shipped.server.backlog, defaults.server.backlog);
  EXPECT_EQ(shipped.server.http_keepalive, defaults.server.http_keepalive);
  EXPECT_EQ(shipped.server.client_socket_timeout, defaults.server.client_socket_timeout);
  EXPECT_EQ(shipped.server.max_header_line, defaults.server.max_header_line);
  EXPECT_EQ(shipped.server.shutdown_grace, defaults.server.shutdown_grace);
  EXPECT_EQ(shipped.registry.host, defaults.registry.host);
  EXPECT_EQ(shipped.registry.port, defaults.registry.port);
  EXPECT_EQ(shipped.registry.timeout, defaults.registry.timeout);
  EXPECT_EQ(shipped.registry.send_identity_headers, defaults.registry.send_identity_headers);
  EXPECT_EQ(shipped.registry.tls, defaults.registry.tls);
  EXPECT_EQ(shipped.registry.ca_file, defaults.registry.ca_file);
  EXPECT_EQ(shipped.registry.tls_insecure, defaults.registry.tls_insecure);
  EXPECT_EQ(shipped.registry.cert_file, defaults.registry.cert_file);
  EXPECT_EQ(shipped.registry.key_file, defaults.registry.key_file);
  EXPECT_EQ(shipped.server.tls.cert_file, defaults.server.tls.cert_file);
  EXPECT_EQ(shipped.server.tls.key_file, defaults.server.tls.key_file);
  EXPECT_EQ(shipped.server.tls.ca_file, defaults.server.tls.ca_file);
  EXPECT_EQ(shipped.stores.stores, defaults.stores.stores);
  EXPECT_EQ(shipped.stores.default_store, defaults.stores.default_store);
  EXPECT_TRUE(store::load_file_config(shipped_file) == store::load_file_config(empty_file));
  EXPECT_TRUE(store::load_swift_config(shipped_file) == store::load_swift_config(empty_file));
  EXPECT_TRUE(store::load_rbd_config(shipped_file) == store::load_rbd_config(empty_file));
  EXPECT_EQ(shipped.formats.disk_formats, defaults.formats.disk_formats);
  EXPECT_EQ(shipped.formats.container_formats, defaults.formats.container_formats);
  EXPECT_EQ(shipped.image_size_cap, defaults.image_size_cap);
  EXPECT_EQ(shipped.user_storage_quota, defaults.user_storage_quota);
  EXPECT_EQ(shipped.image_member_quota, defaults.image_member_quota);
  EXPECT_EQ(shipped.image_property_quota, defaults.image_property_quota);
  EXPECT_EQ(shipped.delayed_delete, defaults.delayed_delete);
  EXPECT_EQ(shipped.upload_orphan_timeout, defaults.upload_orphan_timeout);
  EXPECT_EQ(shipped.enable_v1_api, defaults.enable_v1_api);
  EXPECT_EQ(shipped.max_request_id_length, defaults.max_request_id_length);
  EXPECT_EQ(shipped.context.admin_role, defaults.context.admin_role);
  EXPECT_EQ(shipped.context.owner_is_tenant, defaults.context.owner_is_tenant);
  EXPECT_EQ(shipped.context.allow_anonymous_access, defaults.context.allow_anonymous_access);
  EXPECT_EQ(shipped.log.debug, defaults.log.debug);
  EXPECT_EQ(shipped.log.use_stderr, defaults.log.use_stderr);
  EXPECT_EQ(shipped.log.use_syslog, defaults.log.use_syslog);
  EXPECT_EQ(shipped.source_policy.schemes, defaults.source_policy.schemes);
  EXPECT_EQ(shipped.source_policy.allowed_hosts, defaults.source_policy.allowed_hosts);
  EXPECT_EQ(shipped.source_policy.denied_hosts, defaults.source_policy.denied_hosts);
  EXPECT_EQ(shipped.policy.policy_file, defaults.policy.policy_file);
  EXPECT_EQ(shipped.policy.policy_dirs, defaults.policy.policy_dirs);
  EXPECT_EQ(shipped.policy.default_rule, defaults.policy.default_rule);
  EXPECT_EQ(shipped.max_concurrent_uploads, defaults.max_concurrent_uploads);
  EXPECT_EQ(shipped.max_concurrent_copies, defaults.max_concurrent_copies);
  EXPECT_EQ(shipped.store_worker_threads, defaults.store_worker_threads);
}

// etc/policy.yaml.sample shows every built-in rule with its true value: uncommented, it is a
// policy file that parses to exactly the built-in rules.
TEST(ShippedPolicySample, EveryBuiltInRuleWithItsValue) {
  std::ifstream in(std::string(GLANCE_SOURCE_DIR) + "/etc/policy.yaml.sample");
  ASSERT_TRUE(in.good());
  std::string text, line;
  while (std::getline(in, line)) text += (line.starts_with("#\"") ? line.substr(1) : line) + "\n";
  auto doc = common::policy::parse_policy_document(text);
  ASSERT_TRUE(doc) << doc.error().message();
  const auto builtin = builtin_policy_rules();
  EXPECT_EQ(doc->rules.size(), builtin.size());
  for (const auto& [name, value] : builtin) {
    auto it = doc->rules.find(name);
    ASSERT_NE(it, doc->rules.end()) << name;
    EXPECT_EQ(it->second.to_string(), common::policy::Rule::parse(value)->to_string()) << name;
  }
}

}  // namespace
}  // namespace glance::api
