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
  auto [shipped_file, empty_file, shipped, defaults] = testing::shipped_and_default_configs(
      "glance-api.conf", "\nbind_port = 9292\n",
      [](common::ConfigFile& f) { return load_api_config(f); });
  testing::expect_shared_options_equal(shipped, defaults);
  EXPECT_EQ(shipped.registry.host, defaults.registry.host);
  EXPECT_EQ(shipped.registry.port, defaults.registry.port);
  EXPECT_EQ(shipped.registry.timeout, defaults.registry.timeout);
  EXPECT_EQ(shipped.registry.send_identity_headers, defaults.registry.send_identity_headers);
  EXPECT_EQ(shipped.registry.use_user_token, defaults.registry.use_user_token);
  EXPECT_EQ(shipped.registry_admin.has_value(), defaults.registry_admin.has_value());
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
  EXPECT_EQ(shipped.image_tag_quota, defaults.image_tag_quota);
  EXPECT_EQ(shipped.show_image_direct_url, defaults.show_image_direct_url);
  EXPECT_EQ(shipped.show_multiple_locations, defaults.show_multiple_locations);
  EXPECT_EQ(shipped.delayed_delete, defaults.delayed_delete);
  EXPECT_EQ(shipped.upload_orphan_timeout, defaults.upload_orphan_timeout);
  EXPECT_EQ(shipped.enable_v1_api, defaults.enable_v1_api);
  EXPECT_EQ(shipped.max_request_id_length, defaults.max_request_id_length);
  EXPECT_EQ(shipped.source_policy.schemes, defaults.source_policy.schemes);
  EXPECT_EQ(shipped.source_policy.allowed_hosts, defaults.source_policy.allowed_hosts);
  EXPECT_EQ(shipped.source_policy.denied_hosts, defaults.source_policy.denied_hosts);
  EXPECT_EQ(shipped.policy.policy_file, defaults.policy.policy_file);
  EXPECT_EQ(shipped.policy.policy_dirs, defaults.policy.policy_dirs);
  EXPECT_EQ(shipped.policy.default_rule, defaults.policy.default_rule);
  EXPECT_EQ(shipped.property_protection.file, defaults.property_protection.file);
  EXPECT_EQ(shipped.property_protection.format, defaults.property_protection.format);
  EXPECT_EQ(shipped.max_concurrent_uploads, defaults.max_concurrent_uploads);
  EXPECT_EQ(shipped.max_concurrent_copies, defaults.max_concurrent_copies);
  EXPECT_EQ(shipped.store_worker_threads, defaults.store_worker_threads);
  EXPECT_EQ(shipped.cache.max_size, defaults.cache.max_size);
  EXPECT_EQ(shipped.cache.stall_time, defaults.cache.stall_time);
  EXPECT_EQ(shipped.cache.sqlite_db, defaults.cache.sqlite_db);
  EXPECT_EQ(shipped.cache.prune_interval, defaults.cache.prune_interval);
  EXPECT_EQ(shipped.cache.clean_interval, defaults.cache.clean_interval);
  EXPECT_EQ(shipped.cache.prefetch_interval, defaults.cache.prefetch_interval);
  const auto& notices = shipped.notifications;
  EXPECT_EQ(notices.drivers, defaults.notifications.drivers);
  EXPECT_EQ(notices.topics, defaults.notifications.topics);
  EXPECT_EQ(notices.transport.has_value(), defaults.notifications.transport.has_value());
  EXPECT_EQ(notices.exchange, defaults.notifications.exchange);
  EXPECT_EQ(notices.publisher_id, defaults.notifications.publisher_id);
  EXPECT_EQ(notices.disabled, defaults.notifications.disabled);
  EXPECT_EQ(notices.durable, defaults.notifications.durable);
  EXPECT_EQ(notices.auto_delete, defaults.notifications.auto_delete);
  EXPECT_EQ(notices.max_queued, defaults.notifications.max_queued);
  EXPECT_EQ(notices.max_reconnect_delay, defaults.notifications.max_reconnect_delay);
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
