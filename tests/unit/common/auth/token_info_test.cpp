#include "common/auth/token_info.h"

#include <gtest/gtest.h>

namespace glance::common::auth {
namespace {

const char* kProjectToken = R"({"token": {
  "methods": ["password"], "expires_at": "2030-01-02T03:04:05.000000Z",
  "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
  "project": {"id": "p1", "name": "alpha", "domain": {"id": "default", "name": "Default"}},
  "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
  "is_admin_project": false}})";

TEST(TokenInfo, ParsesAProjectScopedToken) {
  auto info = parse_token_info(kProjectToken);
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->user_id, "u1");
  EXPECT_EQ(info->user_name, "alice");
  EXPECT_EQ(info->user_domain_name, "Default");
  EXPECT_EQ(info->project_id, "p1");
  EXPECT_EQ(info->project_domain_id, "default");
  EXPECT_EQ(info->roles, (std::vector<std::string>{"member", "reader"}));
  EXPECT_FALSE(info->is_admin_project);
  EXPECT_EQ(format_timestamp(info->expires_at), "2030-01-02T03:04:05.000000");
  EXPECT_TRUE(info->has_role_in({"reader", "admin"}));
  EXPECT_FALSE(info->has_role_in({"service"}));
}

TEST(TokenInfo, DomainAndSystemScopes) {
  auto info = parse_token_info(R"({"token": {"expires_at": "2030-01-01T00:00:00Z",
    "user": {"id": "u"}, "domain": {"id": "d", "name": "dom"}, "system": {"all": true}}})");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->domain_id, "d");
  EXPECT_EQ(info->system_scope, "all");
  EXPECT_TRUE(info->project_id.empty());
  EXPECT_TRUE(info->is_admin_project);  // absent: assumed, as keystonemiddleware does
}

TEST(TokenInfo, RefusesWhatIsNotAToken) {
  for (const char* body :
       {"", "[]", "{}", R"({"token": 1})", R"({"token": {"user": {"id": "u"}}})",
        R"({"token": {"expires_at": "2030-01-01T00:00:00Z"}})",
        R"({"token": {"expires_at": "soon", "user": {"id": "u"}}})", "{\"token\": {"}) {
    SCOPED_TRACE(body);
    auto info = parse_token_info(body);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code(), Errc::bad_gateway);
  }
}

TEST(TokenInfo, RefusesNestingPastTheLimitAndHugeBodies) {
  const std::string user = R"("expires_at": "2030-01-01T00:00:00Z", "user": {"id": "u"})";
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"a\":";
  deep += "1" + std::string(100000, '}');
  for (const std::string& body :
       {"{\"token\": {" + user + ", \"x\": " + deep + "}}",
        "{\"token\": " + std::string(100000, '[') + std::string(100000, ']') + "}",
        "{\"token\": {" + user + ", \"pad\": \"" + std::string((16 << 20) + 1, 'A') + "\"}}"}) {
    auto info = parse_token_info(body);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code(), Errc::bad_gateway);
    EXPECT_TRUE(find_identity_endpoint(body, "internal", "").empty());
  }
  // Nesting within the limit is fine.
  auto info = parse_token_info("{\"token\": {" + user + ", \"x\": [[[[[[[[1]]]]]]]]}}");
  EXPECT_TRUE(info);
}

TEST(TokenInfo, IgnoresMistypedFields) {
  auto info = parse_token_info(R"({"token": {"expires_at": "2030-01-01T00:00:00Z",
    "user": {"id": "u", "name": 7, "domain": []}, "project": "p", "roles": [1, {"name": 2},
    {"name": "ok"}], "is_admin_project": "yes"}})");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->user_name, "");
  EXPECT_EQ(info->project_id, "");
  EXPECT_EQ(info->roles, std::vector<std::string>{"ok"});
  EXPECT_TRUE(info->is_admin_project);
}

TEST(TokenInfo, PasswordRequestNamesDomainsByIdOrName) {
  auto body = password_auth_request({"glance", "pw\"", "", "Users", "service", "default", ""});
  EXPECT_EQ(body,
            R"({"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":)"
            R"("Users"},"name":"glance","password":"pw\""}}},"scope":{"project":{"domain":{"id":)"
            R"("default"},"name":"service"}}}})");
}

TEST(TokenInfo, IdentityEndpointByInterfaceAndRegion) {
  const char* body = R"({"token": {"catalog": [
    {"type": "image", "endpoints": [{"interface": "internal", "url": "http://g"}]},
    {"type": "identity", "endpoints": [
      {"interface": "public", "region_id": "R1", "url": "http://pub/v3"},
      {"interface": "internal", "region_id": "R1", "url": "http://int1/v3"},
      {"interface": "internal", "region_id": "R2", "url": "http://int2/v3"}]}]}})";
  EXPECT_EQ(find_identity_endpoint(body, "internal", ""), "http://int1/v3");
  EXPECT_EQ(find_identity_endpoint(body, "internal", "R2"), "http://int2/v3");
  EXPECT_EQ(find_identity_endpoint(body, "public", "R2"), "");
  EXPECT_EQ(find_identity_endpoint("{}", "internal", ""), "");
}

TEST(TokenInfo, V3Url) {
  EXPECT_EQ(v3_url("http://k:5000", "/auth/tokens"), "http://k:5000/v3/auth/tokens");
  EXPECT_EQ(v3_url("http://k:5000/v3/", "/auth/tokens"), "http://k:5000/v3/auth/tokens");
  EXPECT_EQ(v3_url("http://k/identity/v3", ""), "http://k/identity/v3");
}

}  // namespace
}  // namespace glance::common::auth
