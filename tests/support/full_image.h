#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace glance::testing {

// An active image with every field the registry stores set (two properties, one location),
// as the registry's JSON takes it: for tests that check a write keeps every field.
inline nlohmann::json full_image(const std::string& name, const std::string& location) {
  return {{"name", name},
          {"status", "active"},
          {"size", 5},
          {"checksum", "0123456789abcdef0123456789abcdef"},
          {"os_hash_algo", "sha512"},
          {"os_hash_value", "feedface"},
          {"owner", "tenant-owner"},
          {"is_public", false},
          {"disk_format", "raw"},
          {"container_format", "bare"},
          {"properties", {{"distro", "debian"}, {"arch", "x86_64"}}},
          {"location", location}};
}

// Expects the registry's answer `img` to carry every field of full_image(name, location).
inline void expect_full_image(const nlohmann::json& img, const std::string& name,
                              const std::string& location) {
  EXPECT_EQ(img["name"], name);
  EXPECT_EQ(img["status"], "active");
  EXPECT_EQ(img["checksum"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(img["os_hash_algo"], "sha512");
  EXPECT_EQ(img["os_hash_value"], "feedface");
  EXPECT_EQ(img["owner"], "tenant-owner");
  EXPECT_EQ(img["size"], 5);
  EXPECT_EQ(img["disk_format"], "raw");
  EXPECT_EQ(img["container_format"], "bare");
  EXPECT_EQ(img["properties"], nlohmann::json({{"distro", "debian"}, {"arch", "x86_64"}}));
  EXPECT_EQ(img["location"], location);
  EXPECT_EQ(img["location_data"].size(), 1u);
}

}  // namespace glance::testing
