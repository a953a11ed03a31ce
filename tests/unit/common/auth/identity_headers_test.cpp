#include "common/auth/identity_headers.h"

#include "common/auth/token_info.h"

#include <gtest/gtest.h>

namespace glance::common::auth {
namespace {

// Everything keystonemiddleware's auth_token removes before validating, in any case.
const std::vector<std::string> kForgeable = {"X-Identity-Status",
                                             "X-Service-Identity-Status",
                                             "X-Roles",
                                             "X-Role",
                                             "x-service-roles",
                                             "X-Project-Id",
                                             "X-Tenant-Id",
                                             "X-Tenant",
                                             "X-Tenant-Name",
                                             "X-Project-Name",
                                             "X-Project-Domain-Id",
                                             "X-Project-Domain-Name",
                                             "X-User-Id",
                                             "X-User",
                                             "X-User-Name",
                                             "X-User-Domain-Id",
                                             "X-User-Domain-Name",
                                             "X-Domain-Id",
                                             "X-Domain-Name",
                                             "X-Service-Project-Id",
                                             "X-Service-User-Id",
                                             "X-Service-Domain-Name",
                                             "X-Is-Admin-Project",
                                             "X-Service-Catalog",
                                             "OpenStack-System-Scope",
                                             "x-identity-status"};

TEST(IdentityHeaders, RemovesEveryIdentityHeaderAndKeepsTheRest) {
  http::Headers h;
  for (const auto& name : kForgeable) h.add(name, "forged");
  h.add("X-Auth-Token", "t");
  h.add("X-Service-Token", "s");
  h.add("x-image-meta-name", "n");
  remove_identity_headers(h);
  for (const auto& name : kForgeable) EXPECT_FALSE(h.contains(name)) << name;
  EXPECT_EQ(h.get("X-Auth-Token"), "t");
  EXPECT_EQ(h.get("X-Service-Token"), "s");
  EXPECT_EQ(h.get("x-image-meta-name"), "n");
}

TEST(IdentityHeaders, ConfirmedUserSetsIdentityAndDeprecatedNames) {
  TokenInfo info;
  info.user_id = "u1";
  info.user_name = "alice";
  info.project_id = "p1";
  info.project_name = "alpha";
  info.roles = {"member", "reader"};
  info.is_admin_project = false;
  http::Headers h;
  set_user_headers(h, &info);
  EXPECT_EQ(h.get("X-Identity-Status"), "Confirmed");
  EXPECT_EQ(h.get("X-User-Id"), "u1");
  EXPECT_EQ(h.get("X-Project-Id"), "p1");
  EXPECT_EQ(h.get("X-Tenant-Id"), "p1");
  EXPECT_EQ(h.get("X-Tenant"), "alpha");
  EXPECT_EQ(h.get("X-User"), "alice");
  EXPECT_EQ(h.get("X-Roles"), "member,reader");
  EXPECT_EQ(h.get("X-Role"), "member,reader");
  EXPECT_EQ(h.get("X-Is-Admin-Project"), "False");
  EXPECT_FALSE(h.contains("X-Domain-Id"));
  EXPECT_FALSE(h.contains("OpenStack-System-Scope"));
}

TEST(IdentityHeaders, InvalidUserSetsOnlyTheStatus) {
  http::Headers h;
  set_user_headers(h, nullptr);
  EXPECT_EQ(h.get("X-Identity-Status"), "Invalid");
  EXPECT_EQ(h.fields().size(), 1u);
}

TEST(IdentityHeaders, ServiceHeadersArePrefixed) {
  TokenInfo info;
  info.user_id = "nova-id";
  info.project_id = "svc";
  info.roles = {"service"};
  http::Headers h;
  set_service_headers(h, &info);
  EXPECT_EQ(h.get("X-Service-Identity-Status"), "Confirmed");
  EXPECT_EQ(h.get("X-Service-User-Id"), "nova-id");
  EXPECT_EQ(h.get("X-Service-Project-Id"), "svc");
  EXPECT_EQ(h.get("X-Service-Roles"), "service");
  EXPECT_FALSE(h.contains("X-User-Id"));
  EXPECT_FALSE(h.contains("X-Roles"));
}

TEST(IdentityHeaders, ValuesAHeaderCannotCarryAreLeftOut) {
  TokenInfo info;
  info.user_id = "u";
  info.project_name = "evil\r\nX-Roles: admin";
  info.roles = {"member", "a,dmin"};
  http::Headers h;
  set_user_headers(h, &info);
  EXPECT_FALSE(h.contains("X-Project-Name"));
  EXPECT_FALSE(h.contains("X-Tenant"));
  EXPECT_EQ(h.get("X-Roles"), "member");
}

}  // namespace
}  // namespace glance::common::auth
