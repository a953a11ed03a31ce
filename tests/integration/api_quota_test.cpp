// Quotas under concurrency (uploads finishing together, members added together and by
// sharers) and the property quota.

#include "tests/support/api_fixture.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

using nlohmann::json;

constexpr int64_t kMiB = 1024 * 1024;

HeaderList raw_bare() {
  return {{"x-image-meta-disk_format", "raw"},
          {"x-image-meta-container_format", "bare"},
          {"Content-Type", "application/octet-stream"}};
}

HeaderList raw_bare_as(const std::string& tenant, const std::string& roles = "member") {
  return with(identity(tenant, roles), raw_bare());
}

// 201s, 413s, and connections the api closed before the body was all sent (refused early).
struct UploadTally {
  std::atomic<int> created{0}, refused{0}, cut_off{0};
};

// Sends `data` as new images from `uploads` threads at once, half of them with a declared
// size and half chunked without one: both paths must reserve.
void upload_together(ApiEnvironment& env, const HeaderList& headers, const std::string& data,
                     int uploads, UploadTally& tally) {
  std::vector<std::thread> threads;
  for (int i = 0; i < uploads; ++i)
    threads.emplace_back([&, i] {
      HttpClient c = env.client(headers);
      try {
        auto r = i % 2 == 0 ? c.post("/v1/images", data,
                                     {{"x-image-meta-size", std::to_string(data.size())}})
                            : c.request("POST", "/v1/images", {}, data, /*chunked=*/true);
        if (r.status == 201u) ++tally.created;
        if (r.status == 413u) ++tally.refused;
      } catch (const std::exception&) {
        ++tally.cut_off;
      }
    });
  for (auto& t : threads) t.join();
}

int64_t active_bytes(const ApiEnvironment& env, const std::string& tenant) {
  auto listed = env.client(identity(tenant)).get("/v1/images/detail");
  EXPECT_EQ(listed.status, 200u) << listed.body;
  int64_t sum = 0;
  for (const auto& img : json_field(listed, "images"))
    if (img["status"] == "active") sum += img["size"].get<int64_t>();
  return sum;
}

TEST(ApiQuota, ConcurrentUploadsNeverTogetherPassTheStorageQuota) {
  ApiEnvironment env(true, "user_storage_quota = 10MB\n");
  UploadTally tally;
  upload_together(env, raw_bare_as("quota-tenant"), std::string(9 * kMiB, 'q'), 8, tally);
  EXPECT_EQ(tally.created.load(), 1);
  EXPECT_EQ(tally.refused.load() + tally.cut_off.load(), 7);
  EXPECT_TRUE(env.api().running());
  EXPECT_LE(active_bytes(env, "quota-tenant"), 10 * kMiB);
  // The refused uploads released their reservations: 1 MiB is still free.
  HttpClient c = env.client(raw_bare_as("quota-tenant"));
  EXPECT_EQ(c.post("/v1/images", std::string(kMiB / 2, 'r')).status, 201u);
  EXPECT_EQ(c.post("/v1/images", std::string(kMiB, 's')).status, 413u);
}

// An admin's uploads of images whose owner it removed are charged to the admin's tenant, so
// they cannot together pass its quota either.
TEST(ApiQuota, ConcurrentOwnerlessUploadsOfOneTenantShareItsStorageQuota) {
  ApiEnvironment env(true, "user_storage_quota = 10MB\n");
  const HeaderList admin = raw_bare_as("quota-admin", "admin");
  const HeaderList ownerless = with(admin, {{"x-image-meta-owner", ""}});
  UploadTally tally;
  upload_together(env, ownerless, std::string(9 * kMiB, 'o'), 8, tally);
  EXPECT_EQ(tally.created.load(), 1);
  EXPECT_EQ(tally.refused.load() + tally.cut_off.load(), 7);
  EXPECT_TRUE(env.api().running());
  auto listed = env.client(admin).get("/v1/images/detail?is_public=none");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  int64_t ownerless_active = 0;
  for (const auto& img : json_field(listed, "images")) {
    if (img["status"] == "active") {
      EXPECT_TRUE(img["owner"].is_null()) << img.dump();
      ownerless_active += img["size"].get<int64_t>();
    }
  }
  EXPECT_EQ(ownerless_active, 9 * kMiB);
  // The active ownerless image keeps counting, for owned and ownerless uploads alike.
  EXPECT_EQ(env.client(admin).post("/v1/images", std::string(2 * kMiB, 'a')).status, 413u);
  EXPECT_EQ(env.client(ownerless).post("/v1/images", std::string(2 * kMiB, 'b')).status, 413u);
  EXPECT_EQ(env.client(ownerless).post("/v1/images", std::string(kMiB / 2, 'c')).status, 201u);
  // Another tenant's quota is its own.
  EXPECT_EQ(
      env.client(raw_bare_as("other-tenant")).post("/v1/images", std::string(9 * kMiB, 'd')).status,
      201u);
}

TEST(ApiQuota, RacingMemberAddsNeverPassTheMemberQuota) {
  ApiEnvironment env(true, "image_member_quota = 3\n");
  HttpClient alice = env.client(identity("tenant-a"));
  auto created = alice.post("/v1/images", "", {{"x-image-meta-name", "shared"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string members =
      "/v1/images/" + created.json()["image"]["id"].get<std::string>() + "/members";
  std::atomic<int> added{0}, refused{0};
  std::vector<std::thread> adds;
  for (int i = 0; i < 10; ++i)
    adds.emplace_back([&, i] {
      auto r = env.client(identity("tenant-a")).put(members + "/t" + std::to_string(i), "");
      if (r.status == 204u) ++added;
      if (r.status == 413u) ++refused;
    });
  for (auto& t : adds) t.join();
  EXPECT_EQ(added.load(), 3);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(alice.get(members).json()["members"].size(), 3u);
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

constexpr const char* kPropertyQuotaMessage =
    "The limit has been exceeded on the number of allowed image properties. Attempted: ";

HeaderList properties(std::initializer_list<const char*> names) {
  HeaderList out;
  for (const char* name : names)
    out.emplace_back(std::string("x-image-meta-property-") + name, "v");
  return out;
}

std::vector<std::string> property_names(const HttpClient& c, const std::string& id) {
  auto r = c.head("/v1/images/" + id);
  std::vector<std::string> out;
  for (const auto& [name, value] : r.headers)
    if (name.starts_with("x-image-meta-property-")) out.push_back(name.substr(22));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ApiQuota, PropertyQuotaOnCreateRefusesOneOverAndCreatesNothing) {
  ApiEnvironment env(false, "image_property_quota = 3\n");
  HttpClient c = env.client();
  EXPECT_EQ(c.post("/v1/images", "", properties({"a", "b", "c"})).status, 201u);
  auto over = c.post("/v1/images", "", properties({"a", "b", "c", "d"}));
  EXPECT_EQ(over.status, 413u);
  EXPECT_NE(over.body.find(std::string(kPropertyQuotaMessage) + "4, Maximum: 3"), std::string::npos)
      << over.body;
  // Refused before anything was reserved, data or not.
  auto with_data = c.post("/v1/images", std::string(1000, 'x'),
                          with(properties({"a", "b", "c", "d", "e"}), raw_bare()));
  EXPECT_EQ(with_data.status, 413u);
  EXPECT_EQ(c.get("/v1/images?is_public=none").json()["images"].size(), 1u);
  EXPECT_EQ(env.stored_files(), 0u);
}

TEST(ApiQuota, PropertyQuotaOnUpdateCountsThePropertiesTheImageWillHave) {
  ApiEnvironment env(false, "image_property_quota = 3\n");
  HttpClient c = env.client();
  auto created = c.post("/v1/images", "", properties({"a", "b"}));
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string image = "/v1/images/" + created.json()["image"]["id"].get<std::string>();
  const std::string id = created.json()["image"]["id"];
  const HeaderList merge = {{"x-glance-registry-purge-props", "false"}};
  // Merging: the existing properties count, a given one that exists counts once.
  EXPECT_EQ(c.put(image, "", with(merge, properties({"a", "c"}))).status, 200u);  // a b c
  auto over = c.put(image, "", with(merge, properties({"d"})));
  EXPECT_EQ(over.status, 413u);
  EXPECT_NE(over.body.find(std::string(kPropertyQuotaMessage) + "4, Maximum: 3"), std::string::npos)
      << over.body;
  EXPECT_EQ(property_names(c, id), (std::vector<std::string>{"a", "b", "c"}));
  // Purging (the default): only the given properties remain, so only they count.
  EXPECT_EQ(c.put(image, "", properties({"w", "x", "y", "z"})).status, 413u);
  EXPECT_EQ(
      c.put(image, "",
            with({{"x-glance-registry-purge-props", "true"}}, properties({"w", "x", "y", "z"})))
          .status,
      413u);
  EXPECT_EQ(property_names(c, id), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.put(image, "", properties({"x", "y", "z"})).status, 200u);
  EXPECT_EQ(property_names(c, id), (std::vector<std::string>{"x", "y", "z"}));
  // An upload never purges: the existing properties count with the given ones.
  auto upload = c.put(image, "data", with(properties({"q"}), raw_bare()));
  EXPECT_EQ(upload.status, 413u) << upload.body;
  EXPECT_EQ(c.head(image).header("x-image-meta-status"), std::optional<std::string>("queued"));
  EXPECT_EQ(env.stored_files(), 0u);
}

TEST(ApiQuota, NegativePropertyQuotaMeansNoLimit) {
  ApiEnvironment env(false, "image_property_quota = -1\n");
  HeaderList many;
  for (int i = 0; i < 200; ++i)
    many.emplace_back("x-image-meta-property-p" + std::to_string(i), "v");
  EXPECT_EQ(env.client().post("/v1/images", "", many).status, 201u);
}

}  // namespace
}  // namespace glance::testing
