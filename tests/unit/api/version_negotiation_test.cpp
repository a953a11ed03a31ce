#include "api/version_negotiation.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::api {
namespace {

const VersionOptions kV1{true, "", false};
const VersionOptions kBoth{true, "", true};

TEST(VersionNegotiation, RootAndUnknownVersionsAnswer300) {
  for (const char* path : {"/", "", "/v3/images", "/v1.2/images", "/images", "/v2/images"})
    EXPECT_EQ(negotiate_version(path, "", kV1).versions_status, 300u) << path;
}

TEST(VersionNegotiation, VersionsPathAnswers200) {
  EXPECT_EQ(negotiate_version("/versions", "", kV1).versions_status, 200u);
  EXPECT_EQ(negotiate_version("/versions/anything", "", kV1).versions_status, 200u);
}

TEST(VersionNegotiation, V1AliasesAreRewrittenToV1) {
  EXPECT_EQ(negotiate_version("/v1/images", "", kV1).path,
            std::optional<std::string>("/v1/images"));
  EXPECT_EQ(negotiate_version("/v1.0/images", "", kV1).path,
            std::optional<std::string>("/v1/images"));
  EXPECT_EQ(negotiate_version("/v1.1/images/detail", "", kV1).path,
            std::optional<std::string>("/v1/images/detail"));
  EXPECT_EQ(negotiate_version("/v1", "", kV1).path, std::optional<std::string>("/v1"));
}

TEST(VersionNegotiation, VndAcceptHeaderVersionsWithoutAPrefix) {
  const char* vnd = "application/vnd.openstack.images-v1";
  EXPECT_EQ(negotiate_version("/images", vnd, kV1).path, std::optional<std::string>("/v1/images"));
  EXPECT_EQ(negotiate_version("/v1/images", vnd, kV1).path,
            std::optional<std::string>("/v1/v1/images"));
  EXPECT_EQ(
      negotiate_version("/images", "application/vnd.openstack.images-v3", kV1).versions_status,
      300u);
}

TEST(VersionNegotiation, DisabledV1AnswersVersions) {
  EXPECT_EQ(negotiate_version("/v1/images", "", {false, ""}).versions_status, 300u);
}

TEST(VersionNegotiation, DocumentListsV1WithHrefsOnTheEndpoint) {
  auto doc = nlohmann::json::parse(versions_document(kV1, "http://h:9292"));
  ASSERT_EQ(doc["versions"].size(), 2u);
  EXPECT_EQ(doc["versions"][0]["id"], "v1.1");
  EXPECT_EQ(doc["versions"][1]["id"], "v1.0");
  EXPECT_EQ(doc["versions"][0]["status"], "DEPRECATED");
  EXPECT_EQ(doc["versions"][0]["links"][0]["href"], "http://h:9292/v1/");
  auto pub = nlohmann::json::parse(versions_document({true, "https://images.example", false}, "x"));
  EXPECT_EQ(pub["versions"][1]["links"][0]["href"], "https://images.example/v1/");
}

TEST(VersionNegotiation, V2AliasesAreRewrittenToV2WhenEnabled) {
  for (const char* alias : {"/v2", "/v2.0", "/v2.1", "/v2.5", "/v2.6"})
    EXPECT_EQ(negotiate_version(std::string(alias) + "/images", "", kBoth).path,
              std::optional<std::string>("/v2/images"))
        << alias;
  for (const char* path : {"/v2.7/images", "/v2.10/images", "/v2./images", "/v22/images"})
    EXPECT_EQ(negotiate_version(path, "", kBoth).versions_status, 300u) << path;
  EXPECT_EQ(negotiate_version("/images", "application/vnd.openstack.images-v2.3", kBoth).path,
            std::optional<std::string>("/v2/images"));
  EXPECT_EQ(negotiate_version("/v1/images", "", kBoth).path,
            std::optional<std::string>("/v1/images"));
}

TEST(VersionNegotiation, DocumentListsV2CurrentFirstThenV1) {
  auto doc = nlohmann::json::parse(versions_document(kBoth, "http://h:9292"));
  ASSERT_EQ(doc["versions"].size(), 9u);
  EXPECT_EQ(doc["versions"][0]["id"], "v2.6");
  EXPECT_EQ(doc["versions"][0]["status"], "CURRENT");
  EXPECT_EQ(doc["versions"][6]["id"], "v2.0");
  EXPECT_EQ(doc["versions"][6]["status"], "SUPPORTED");
  EXPECT_EQ(doc["versions"][6]["links"][0]["href"], "http://h:9292/v2/");
  EXPECT_EQ(doc["versions"][7]["id"], "v1.1");
  auto v2_only = nlohmann::json::parse(versions_document({false, "", true}, "http://h"));
  EXPECT_EQ(v2_only["versions"].size(), 7u);
}

}  // namespace
}  // namespace glance::api
