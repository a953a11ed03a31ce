// No option that governs who is let in, or how much they may store, is read and then ignored:
// glance-api either honours it or refuses to start, naming it.

#include "api/api_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace glance::api {
namespace {

struct Loaded {
  ApiConfig config;
  std::vector<std::string> errors;
  std::vector<std::string> unknown;
};

Loaded load(const std::string& text) {
  auto file = common::ConfigFile::from_string(text);
  Loaded out{load_api_config(file), file.errors(), file.unknown_options()};
  return out;
}

// Exactly one error, naming `option`.
void expect_refused(const std::string& text, const std::string& option) {
  SCOPED_TRACE(text);
  auto loaded = load(text);
  ASSERT_EQ(loaded.errors.size(), 1u) << (loaded.errors.empty() ? "" : loaded.errors[0]);
  EXPECT_NE(loaded.errors[0].find(option), std::string::npos) << loaded.errors[0];
}

const std::string kKeystone =
    "[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\nauth_url = http://k:5000\n"
    "username = glance\npassword = pw\nproject_name = service\n";

TEST(RegistryLinkOptions, ByDefaultTheCallersTokenGoesAndAdminCredentialsAreUnused) {
  // As upstream: with use_user_token = True the admin_* options are read by no one.
  auto loaded = load(
      "[DEFAULT]\nadmin_user = glance\nadmin_password = pw\nadmin_tenant_name = service\n"
      "auth_url = http://k:5000\nauth_strategy = keystone\nauth_region = R\n");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  EXPECT_TRUE(loaded.unknown.empty()) << loaded.unknown[0];
  EXPECT_TRUE(loaded.config.registry.use_user_token);
  EXPECT_FALSE(loaded.config.registry_admin);
}

TEST(RegistryLinkOptions, NoUserTokenWithAdminCredentialsUsesThem) {
  auto loaded = load(
      "[DEFAULT]\nuse_user_token = False\nadmin_user = glance\nadmin_password = pw\n"
      "admin_tenant_name = service\nauth_url = http://k:5000/v3\nauth_region = R\n");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  EXPECT_TRUE(loaded.unknown.empty()) << loaded.unknown[0];
  EXPECT_FALSE(loaded.config.registry.use_user_token);
  ASSERT_TRUE(loaded.config.registry_admin);
  EXPECT_EQ(loaded.config.registry_admin->auth_url, "http://k:5000/v3");
  EXPECT_EQ(loaded.config.registry_admin->scope.user, "glance");
  EXPECT_EQ(loaded.config.registry_admin->scope.password, "pw");
  EXPECT_EQ(loaded.config.registry_admin->scope.project, "service");
}

TEST(RegistryLinkOptions, NoUserTokenWithNoauthSendsNoToken) {
  auto loaded = load("[DEFAULT]\nuse_user_token = False\nauth_strategy = noauth\n");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  EXPECT_FALSE(loaded.config.registry.use_user_token);
  EXPECT_FALSE(loaded.config.registry_admin);
}

TEST(RegistryLinkOptions, WhatCannotBeFollowedStopsStartUp) {
  const std::string no_user = "[DEFAULT]\nuse_user_token = False\n";
  expect_refused(no_user + "auth_strategy = kerberos\n", "auth_strategy");
  // keystone without where or who.
  expect_refused(no_user +
                     "auth_strategy = keystone\nadmin_user = g\nadmin_password = p\n"
                     "admin_tenant_name = s\n",
                 "auth_url");
  expect_refused(no_user + "auth_url = http://k:5000\nadmin_password = p\nadmin_tenant_name = s\n",
                 "admin_user");
  expect_refused(no_user + "auth_url = http://k:5000\nadmin_user = g\nadmin_tenant_name = s\n",
                 "admin_password");
  expect_refused(no_user + "auth_url = http://k:5000\nadmin_user = g\nadmin_password = p\n",
                 "admin_tenant_name");
  expect_refused(
      no_user + "auth_url = ftp://k\nadmin_user = g\nadmin_password = p\nadmin_tenant_name = s\n",
      "auth_url");
  // Credentials that noauth would silently leave unused.
  expect_refused(no_user + "admin_user = g\n", "admin_user");
}

TEST(RegistryLinkOptions, OsAuthUrlFromTheEnvironmentAsUpstream) {
  ::setenv("OS_AUTH_URL", "http://from-env:5000", 1);
  auto loaded = load(
      "[DEFAULT]\nuse_user_token = False\nadmin_user = g\nadmin_password = p\n"
      "admin_tenant_name = s\n");
  ::unsetenv("OS_AUTH_URL");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  ASSERT_TRUE(loaded.config.registry_admin);
  EXPECT_EQ(loaded.config.registry_admin->auth_url, "http://from-env:5000");
}

TEST(SecurityOptions, MetadataEncryptionKeyIsRefusedNotIgnored) {
  expect_refused("[DEFAULT]\nmetadata_encryption_key = 0123456789abcdef\n",
                 "metadata_encryption_key");
  EXPECT_TRUE(load("[DEFAULT]\nmetadata_encryption_key =\n").errors.empty());
}

TEST(KeystoneAuthtokenOptions, HarmlessOnesAreAcceptedWithoutWarning) {
  auto loaded = load(kKeystone +
                     "memcached_servers = m:11211\nmemcache_security_strategy = ENCRYPT\n"
                     "memcache_secret_key = k\ninclude_service_catalog = false\n"
                     "enforce_token_bind = permissive\ncheck_revocations_for_cached = false\n"
                     "auth_version = v3\nhttp_request_max_retries = 3\n");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  EXPECT_TRUE(loaded.unknown.empty()) << loaded.unknown[0];
  EXPECT_TRUE(load(kKeystone + "enforce_token_bind = disabled\n").errors.empty());
}

TEST(KeystoneAuthtokenOptions, WhatWouldWeakenTheCheckStopsStartUp) {
  for (const char* bind : {"strict", "required", "kerberos", "x509"})
    expect_refused(kKeystone + "enforce_token_bind = " + bind + "\n", "enforce_token_bind");
  expect_refused(kKeystone + "check_revocations_for_cached = true\n",
                 "check_revocations_for_cached");
  expect_refused(kKeystone + "auth_section = elsewhere\n", "auth_section");
  expect_refused(kKeystone + "certfile = /nonexistent/cert.pem\n", "keyfile");
  expect_refused(kKeystone + "certfile = /nonexistent/c.pem\nkeyfile = /nonexistent/k.pem\n",
                 "certfile");
  expect_refused(kKeystone + "cafile = /nonexistent/ca.pem\n", "cafile");
}

TEST(KeystoneAuthtokenOptions, WithoutFlavorKeystoneTheSectionIsUnused) {
  // Nothing validates tokens then, so nothing in the section can weaken a check.
  auto loaded = load(
      "[keystone_authtoken]\nenforce_token_bind = strict\ncheck_revocations_for_cached = true\n");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0];
}

// A storage quota that does not parse stops start-up: read as 0, it would turn every
// tenant's quota off.
TEST(UserStorageQuota, AValueThatIsNoSizeIsRefusedAndASizeIsRead) {
  for (const char* bad : {"10 GB", "10GiB", "ten", "-1", "1.5GB", "10gb", "99999999999TB"})
    expect_refused(std::string("[DEFAULT]\nuser_storage_quota = ") + bad + "\n",
                   "user_storage_quota");
  for (auto [text, bytes] : {std::pair{"0", 0ULL},
                             {"1073741824", 1ULL << 30},
                             {"10GB", 10ULL << 30},
                             {"500MB", 500ULL << 20},
                             {"2TB", 2ULL << 40},
                             {"7B", 7ULL}}) {
    auto loaded = load(std::string("[DEFAULT]\nuser_storage_quota = ") + text + "\n");
    EXPECT_TRUE(loaded.errors.empty()) << text << ": " << loaded.errors.front();
    EXPECT_EQ(loaded.config.user_storage_quota, bytes) << text;
  }
}

}  // namespace
}  // namespace glance::api
