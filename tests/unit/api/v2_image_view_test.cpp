#include "api/v2/image_view.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::api::v2 {
namespace {

using nlohmann::json;

common::Image located_image() {
  common::Image image;
  image.id = "i1";
  image.status = common::ImageStatus::active;
  image.created_at = "2026-01-02T03:04:05.000000";
  image.locations = {
      {1, "rbd://fsid/images/i1/snap", json{{"store", "ceph"}}, "pending_delete"},
      {2, "file:///var/lib/glance/images/i1", json::object(), "active"},
      {3, "swift://c/i1", json{{"k", "v"}}, "active"},
  };
  return image;
}

json view(const common::Image& image, LocationView v) {
  return json::parse(image_document(image, v));
}

TEST(V2ImageView, LocationsAreLeftOutUnlessConfigured) {
  auto doc = view(located_image(), {false, false, true, true});
  EXPECT_FALSE(doc.contains("locations"));
  EXPECT_FALSE(doc.contains("direct_url"));
}

TEST(V2ImageView, PermittedCallersSeeTheActiveLocationsAndTheFirstAsDirectUrl) {
  auto doc = view(located_image(), {true, true, true, false});
  EXPECT_EQ(doc["locations"],
            json::parse(R"([{"url": "file:///var/lib/glance/images/i1", "metadata": {}},
                            {"url": "swift://c/i1", "metadata": {"k": "v"}}])"));
  EXPECT_EQ(doc["direct_url"], "file:///var/lib/glance/images/i1");
  auto only_direct = view(located_image(), {false, true, true, false});
  EXPECT_FALSE(only_direct.contains("locations"));
  EXPECT_EQ(only_direct["direct_url"], "file:///var/lib/glance/images/i1");
}

TEST(V2ImageView, OthersSeeAnEmptyListAndNoDirectUrl) {
  auto doc = view(located_image(), {true, true, false, true});
  EXPECT_EQ(doc["locations"], json::array());
  EXPECT_FALSE(doc.contains("direct_url"));
}

TEST(V2ImageView, ADeactivatedImageShowsLocationsToAdminsOnly) {
  auto image = located_image();
  image.status = common::ImageStatus::deactivated;
  auto member = view(image, {true, true, true, false});
  EXPECT_EQ(member["locations"], json::array());
  EXPECT_FALSE(member.contains("direct_url"));
  auto admin = view(image, {true, true, true, true});
  EXPECT_EQ(admin["locations"].size(), 2u);
  EXPECT_EQ(admin["direct_url"], "file:///var/lib/glance/images/i1");
}

TEST(V2ImageView, APropertyNamedLikeALocationKeyIsHidden) {
  auto image = located_image();
  image.properties["direct_url"] = "http://elsewhere.invalid/";
  image.properties["locations"] = "[]";
  auto doc = view(image, {});
  EXPECT_FALSE(doc.contains("direct_url"));
  EXPECT_FALSE(doc.contains("locations"));
}

}  // namespace
}  // namespace glance::api::v2
