// Quotas under concurrency: uploads finishing together, and members added by sharers.

#include "tests/support/api_fixture.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

using nlohmann::json;

constexpr int64_t kMiB = 1024 * 1024;

HeaderList raw_bare_as(const std::string& tenant) {
  return with(identity(tenant), {{"x-image-meta-disk_format", "raw"},
                                 {"x-image-meta-container_format", "bare"},
                                 {"Content-Type", "application/octet-stream"}});
}

int64_t active_bytes(const ApiEnvironment& env, const std::string& tenant) {
  auto listed = env.client(identity(tenant)).get("/v1/images/detail");
  EXPECT_EQ(listed.status, 200u) << listed.body;
  int64_t sum = 0;
  for (const auto& img : json_field(listed, "images"))
    if (img["status"] == "active") sum += img["size"].get<int64_t>();
  return sum;
}

// Half declare their size, half stream it chunked without one: both paths must reserve.
TEST(ApiQuota, ConcurrentUploadsNeverTogetherPassTheStorageQuota) {
  ApiEnvironment env(true, "user_storage_quota = 10MB\n");
  const std::string data(9 * kMiB, 'q');
  std::atomic<int> created{0}, refused{0}, cut_off{0};
  std::vector<std::thread> uploads;
  for (int i = 0; i < 8; ++i)
    uploads.emplace_back([&, i] {
      HttpClient c = env.client(raw_bare_as("quota-tenant"));
      try {
        auto r = i % 2 == 0 ? c.post("/v1/images", data,
                                     {{"x-image-meta-size", std::to_string(data.size())}})
                            : c.request("POST", "/v1/images", {}, data, /*chunked=*/true);
        if (r.status == 201u) ++created;
        if (r.status == 413u) ++refused;
      } catch (const std::exception&) {
        ++cut_off;  // refused before the body was all sent: the api closed the connection
      }
    });
  for (auto& t : uploads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load() + cut_off.load(), 7);
  EXPECT_TRUE(env.api().running());
  EXPECT_LE(active_bytes(env, "quota-tenant"), 10 * kMiB);
  // The refused uploads released their reservations: 1 MiB is still free.
  HttpClient c = env.client(raw_bare_as("quota-tenant"));
  EXPECT_EQ(c.post("/v1/images", std::string(kMiB / 2, 'r')).status, 201u);
  EXPECT_EQ(c.post("/v1/images", std::string(kMiB, 's')).status, 413u);
}

TEST(ApiQuota, AMemberWhoMayShareCannotPassTheMemberQuota) {
  ApiEnvironment env(true, "image_member_quota = 2\n");
  HttpClient alice = env.client(identity("tenant-a"));
  HttpClient bob = env.client(identity("tenant-b"));
  auto created = alice.post("/v1/images", "", {{"x-image-meta-name", "shared"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string members =
      "/v1/images/" + created.json()["image"]["id"].get<std::string>() + "/members";
  ASSERT_EQ(alice.put(members + "/tenant-b", R"({"member": {"can_share": true}})").status, 204u);
  EXPECT_EQ(bob.put(members + "/tenant-c", "").status, 204u);
  // Bob lists only his own membership, but two members are there already.
  auto over = bob.put(members + "/tenant-d", "");
  EXPECT_EQ(over.status, 413u) << over.body;
  EXPECT_NE(over.body.find("Attempted: 3, Maximum: 2"), std::string::npos) << over.body;
  EXPECT_EQ(alice.get(members).json()["members"].size(), 2u);
  // A caller who may not share still hears that, not about the quota.
  HttpClient carol = env.client(identity("tenant-c"));
  EXPECT_EQ(carol.put(members + "/tenant-e", "").status, 404u);
}

}  // namespace
}  // namespace glance::testing
