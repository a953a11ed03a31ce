#include "common/context_policy.h"

#include <gtest/gtest.h>

namespace glance::common {
namespace {

http::Headers confirmed(std::string tenant, std::string roles) {
  http::Headers h;
  h.add("X-Identity-Status", "Confirmed");
  h.add("X-Tenant-Id", std::move(tenant));
  h.add("X-User-Id", "u1");
  h.add("X-Roles", std::move(roles));
  return h;
}

TEST(ContextPolicy, NoFlavorGivesTheUnauthenticatedAdminContext) {
  ContextPolicy p;
  auto ctx = p.build(confirmed("t1", "member"));
  ASSERT_TRUE(ctx);
  EXPECT_TRUE(ctx->is_admin);
  EXPECT_FALSE(ctx->owner());
}

TEST(ContextPolicy, KeystoneFlavorReadsIdentityHeaders) {
  ContextPolicy p;
  p.flavor = "keystone";
  auto ctx = p.build(confirmed("t1", " Member , ADMIN"));
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->tenant, "t1");
  EXPECT_EQ(ctx->user_id, "u1");
  EXPECT_EQ(ctx->roles, (std::vector<std::string>{"member", "admin"}));
  EXPECT_TRUE(ctx->is_admin);
  EXPECT_EQ(ctx->owner(), "t1");
}

TEST(ContextPolicy, OwnerIsUserWhenOwnerIsTenantIsOff) {
  ContextPolicy p;
  p.flavor = "trusted-auth";
  p.owner_is_tenant = false;
  auto ctx = p.build(confirmed("t1", "member"));
  ASSERT_TRUE(ctx);
  EXPECT_FALSE(ctx->is_admin);
  EXPECT_EQ(ctx->owner(), "u1");
}

TEST(ContextPolicy, UnconfirmedIdentityIsUnauthorizedUnlessAnonymousAllowed) {
  ContextPolicy p;
  p.flavor = "keystone";
  http::Headers h;
  h.add("X-Identity-Status", "Invalid");
  auto ctx = p.build(h);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().code(), Errc::unauthorized);
  p.allow_anonymous_access = true;
  auto anon = p.build(h);
  ASSERT_TRUE(anon);
  EXPECT_TRUE(anon->read_only);
  EXPECT_FALSE(anon->is_admin);
}

TEST(ContextPolicy, ProjectIdAndTenantAliasesAndCustomAdminRole) {
  ContextPolicy p;
  p.flavor = "keystone";
  p.admin_role = "Cloud_Admin";
  http::Headers h;
  h.add("X-Identity-Status", "Confirmed");
  h.add("X-Project-Id", "p9");
  h.add("X-Role", "cloud_admin");
  auto ctx = p.build(h);
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->tenant, "p9");
  EXPECT_TRUE(ctx->is_admin);
}

TEST(ContextPolicy, IdentityHeadersThatAreNotUtf8AreRefused) {
  ContextPolicy p;
  p.flavor = "trusted-auth";
  EXPECT_EQ(p.build(confirmed("t\xff", "member")).error().code(), Errc::bad_request);
  EXPECT_EQ(p.build(confirmed("t1", "member,\xc3")).error().code(), Errc::bad_request);
  auto user = confirmed("t1", "member");
  user.set("X-User-Id", "\xed\xa0\x80");
  EXPECT_FALSE(p.build(user));
  EXPECT_TRUE(p.build(confirmed("tenant-ü", "member")));
}

TEST(ContextPolicy, ServiceRolesCountOnlyFromAConfirmedServiceToken) {
  ContextPolicy p;
  p.flavor = "trusted-auth";
  auto h = confirmed("t1", "member");
  h.add("X-Service-Roles", " Service, ADMIN");
  auto unconfirmed = p.build(h);
  ASSERT_TRUE(unconfirmed);
  EXPECT_TRUE(unconfirmed->service_roles.empty());
  h.add("X-Service-Identity-Status", "Confirmed");
  auto ctx = p.build(h);
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->service_roles, (std::vector<std::string>{"service", "admin"}));
  EXPECT_FALSE(ctx->is_admin);  // a service role makes no one admin
  EXPECT_EQ(ctx->roles, (std::vector<std::string>{"member"}));
  h.set("X-Service-Roles", "svc,\xc3");
  EXPECT_EQ(p.build(h).error().code(), Errc::bad_request);
}

TEST(ContextPolicy, TheContextIsAdminRuleMakesAdmins) {
  ContextPolicy p;
  p.flavor = "keystone";
  policy::PolicyConfig no_files;
  no_files.policy_file.clear();
  no_files.policy_dirs.clear();
  auto rules =
      policy::Enforcer::load(no_files, {{"context_is_admin",
                                         "role:admin or role:operator or tenant:%(tenant)s and "
                                         "project_id:ops"}});
  ASSERT_TRUE(rules);
  EXPECT_TRUE(p.build(confirmed("t1", "operator"), rules->get())->is_admin);
  // The context itself is the target, as upstream checks it.
  EXPECT_TRUE(p.build(confirmed("ops", "member"), rules->get())->is_admin);
  EXPECT_FALSE(p.build(confirmed("t1", "member"), rules->get())->is_admin);
  EXPECT_FALSE(p.build(confirmed("t1", "operator"))->is_admin);  // no rules, no rule
  // Anonymous contexts are asked too: a rule may make them admin, which is the operator's call.
  p.allow_anonymous_access = true;
  auto open = policy::Enforcer::load(no_files, {{"context_is_admin", "@"}});
  ASSERT_TRUE(open);
  auto anonymous = p.build(http::Headers(), open->get());
  ASSERT_TRUE(anonymous);
  EXPECT_TRUE(anonymous->read_only);
  EXPECT_TRUE(anonymous->is_admin);
}

}  // namespace
}  // namespace glance::common
