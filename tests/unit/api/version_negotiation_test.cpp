#include "api/version_negotiation.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::api {
namespace {

const VersionOptions kV1{true, ""};

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
  auto pub = nlohmann::json::parse(versions_document({true, "https://images.example"}, "x"));
  EXPECT_EQ(pub["versions"][1]["links"][0]["href"], "https://images.example/v1/");
}

}  // namespace
}  // namespace glance::api
