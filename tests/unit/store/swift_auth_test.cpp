// Keystone v3 password authentication as the swift store speaks it: the request body, the
// token URL, and finding the object-store endpoint in a token's catalog. The token samples are
// cut down from the Keystone API reference ("Password authentication with scoped
// authorization", api-ref/source/v3/samples/admin/auth-password-project-scoped-response.json);
// the request shape is the one Keystone 22 accepted in a test run of the documented flow.

#include "store/swift/swift_auth.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::store::keystone {
namespace {

using nlohmann::json;

// The reference's project-scoped token, keeping the identity and object-store services.
constexpr std::string_view kScopedToken = R"({
  "token": {
    "methods": ["password"],
    "roles": [{"id": "51cc68287d524c759f47c811e6463340", "name": "admin"}],
    "expires_at": "2015-11-07T02:58:43.578887Z",
    "project": {
      "domain": {"id": "default", "name": "Default"},
      "id": "a6944d763bf64ee6a275f1263fae0352",
      "name": "admin"
    },
    "is_domain": false,
    "catalog": [
      {
        "endpoints": [
          {"region_id": "RegionOne", "url": "http://23.253.248.171:5000/v2.0",
           "region": "RegionOne", "interface": "public", "id": "068d1b359ee84b438266cb736d81de97"},
          {"region_id": "RegionOne", "url": "http://23.253.248.171:35357/v2.0",
           "region": "RegionOne", "interface": "admin", "id": "8bfc846841ab441ca38471be6d164ced"}
        ],
        "type": "identity",
        "id": "050726f278654128aba89757ae25950c",
        "name": "keystone"
      },
      {
        "endpoints": [
          {"region_id": "RegionOne", "url": "http://23.253.248.171:8080",
           "region": "RegionOne", "interface": "admin", "id": "29b58f1406804c8180ccc01793ff8038"},
          {"region_id": "RegionOne",
           "url": "http://23.253.248.171:8080/v1/AUTH_a6944d763bf64ee6a275f1263fae0352",
           "region": "RegionOne", "interface": "public", "id": "4c2c2968008c4e77973a5922e192d982"},
          {"region_id": "RegionOne",
           "url": "http://23.253.248.171:8080/v1/AUTH_a6944d763bf64ee6a275f1263fae0352",
           "region": "RegionOne", "interface": "internal",
           "id": "f6e7b28008bf41eaa114176a15ac1410"}
        ],
        "type": "object-store",
        "id": "52fecdef9ad543779c1312392cc2b115",
        "name": "swift"
      }
    ],
    "user": {
      "domain": {"id": "default", "name": "Default"},
      "id": "ee4dfb6e5540447cb3741905149d9b6e",
      "name": "admin",
      "password_expires_at": "2016-11-06T15:32:17.000000"
    },
    "audit_ids": ["3T2dc1CGQxyJsHdDu1xkcw"],
    "issued_at": "2015-11-07T01:58:43.578929Z"
  }
})";

// The same object store in two regions, each with its own internal URL.
constexpr std::string_view kTwoRegions = R"({
  "token": {
    "expires_at": "2015-11-07T02:58:43.578887Z",
    "catalog": [
      {"type": "object-store", "name": "swift", "id": "s1", "endpoints": [
        {"region_id": "RegionOne", "region": "RegionOne", "interface": "internal",
         "url": "http://10.0.1.5:8080/v1/AUTH_p", "id": "e1"},
        {"region_id": "RegionTwo", "region": "RegionTwo", "interface": "internal",
         "url": "http://10.0.2.5:8080/v1/AUTH_p", "id": "e2"}
      ]}
    ]
  }
})";

SwiftAuthOptions options(std::string endpoint_type = "publicURL", std::string region = "") {
  SwiftAuthOptions o;
  o.version = 3;
  o.endpoint_type = std::move(endpoint_type);
  o.region = std::move(region);
  return o;
}

TEST(KeystoneV3, SplitsProjectAndUserAtTheFirstColon) {
  auto pu = split_project_user("service:glance");
  ASSERT_TRUE(pu);
  EXPECT_EQ(pu->project, "service");
  EXPECT_EQ(pu->user, "glance");
  auto odd = split_project_user("service:glance:x");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->user, "glance:x");
  EXPECT_EQ(split_project_user("glance").error().code(), common::Errc::bad_request);
  EXPECT_FALSE(split_project_user(":glance"));
  EXPECT_FALSE(split_project_user("service:"));
}

TEST(KeystoneV3, PasswordRequestNamesUserAndProjectInTheDefaultDomain) {
  auto body = json::parse(password_request({"service", "glance"}, "s3cr\"et"));
  auto expected = json::parse(R"({"auth": {
      "identity": {"methods": ["password"],
                   "password": {"user": {"name": "glance", "domain": {"id": "default"},
                                         "password": "s3cr\"et"}}},
      "scope": {"project": {"name": "service", "domain": {"id": "default"}}}}})");
  EXPECT_EQ(body, expected) << body.dump(2);
}

TEST(KeystoneV3, TokensUrlAddsTheVersionOnlyWhenMissing) {
  EXPECT_EQ(tokens_url("https://ks:5000/v3"), "https://ks:5000/v3/auth/tokens");
  EXPECT_EQ(tokens_url("https://ks:5000/v3/"), "https://ks:5000/v3/auth/tokens");
  EXPECT_EQ(tokens_url("https://ks:5000"), "https://ks:5000/v3/auth/tokens");
  EXPECT_EQ(tokens_url("https://ks/identity/"), "https://ks/identity/v3/auth/tokens");
  EXPECT_EQ(tokens_url("https://ks/identity/v3"), "https://ks/identity/v3/auth/tokens");
}

TEST(KeystoneV3, EndpointTypesBecomeInterfaces) {
  EXPECT_EQ(interface_of("publicURL"), "public");
  EXPECT_EQ(interface_of("internalURL"), "internal");
  EXPECT_EQ(interface_of("adminURL"), "admin");
  EXPECT_EQ(interface_of("internal"), "internal");
}

TEST(KeystoneV3, FindsThePublicObjectStoreEndpointAndTheExpiry) {
  auto facts = parse_token_response(kScopedToken, options());
  ASSERT_TRUE(facts) << facts.error().message();
  EXPECT_EQ(facts->storage_url,
            "http://23.253.248.171:8080/v1/AUTH_a6944d763bf64ee6a275f1263fae0352");
  ASSERT_TRUE(facts->expires_at);
  EXPECT_EQ(common::format_timestamp(*facts->expires_at), "2015-11-07T02:58:43.578887");
}

TEST(KeystoneV3, HonoursEndpointTypeAndServiceType) {
  auto admin = parse_token_response(kScopedToken, options("adminURL"));
  ASSERT_TRUE(admin) << admin.error().message();
  EXPECT_EQ(admin->storage_url, "http://23.253.248.171:8080");
  auto o = options();
  o.service_type = "identity";
  auto identity = parse_token_response(kScopedToken, o);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->storage_url, "http://23.253.248.171:5000/v2.0");
}

TEST(KeystoneV3, PicksTheConfiguredRegionOrTheFirst) {
  auto two = parse_token_response(kTwoRegions, options("internalURL", "RegionTwo"));
  ASSERT_TRUE(two) << two.error().message();
  EXPECT_EQ(two->storage_url, "http://10.0.2.5:8080/v1/AUTH_p");
  auto any = parse_token_response(kTwoRegions, options("internalURL"));
  ASSERT_TRUE(any);
  EXPECT_EQ(any->storage_url, "http://10.0.1.5:8080/v1/AUTH_p");
  auto missing = parse_token_response(kTwoRegions, options("internalURL", "RegionThree"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), common::Errc::bad_gateway);
  EXPECT_NE(missing.error().message().find("RegionThree"), std::string::npos);
}

TEST(KeystoneV3, NoMatchingEndpointIsABadGateway) {
  auto public_only = parse_token_response(kTwoRegions, options("publicURL"));
  ASSERT_FALSE(public_only);
  EXPECT_EQ(public_only.error().code(), common::Errc::bad_gateway);
  // An unscoped token has no catalog at all.
  auto unscoped = parse_token_response(R"({"token": {"methods": ["password"]}})", options());
  EXPECT_EQ(unscoped.error().code(), common::Errc::bad_gateway);
}

TEST(KeystoneV3, AConfiguredEndpointNeedsNoCatalog) {
  auto o = options();
  o.endpoint = "https://swift.example.com/v1/AUTH_x";
  auto facts = parse_token_response(R"({"token": {"expires_at": "2030-01-01T00:00:00Z"}})", o);
  ASSERT_TRUE(facts) << facts.error().message();
  EXPECT_EQ(facts->storage_url, o.endpoint);
}

TEST(KeystoneV3, WhatIsNotATokenIsABadGateway) {
  for (std::string_view body : {"", "<html>", "[]", R"({"error": {"code": 401}})"}) {
    auto facts = parse_token_response(body, options());
    ASSERT_FALSE(facts) << body;
    EXPECT_EQ(facts.error().code(), common::Errc::bad_gateway);
  }
}

}  // namespace
}  // namespace glance::store::keystone
