// PUT /reservations/{id} and image_member_quota: the registry side of the quotas.

#include "tests/support/mariadb_server.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

using nlohmann::json;

const char* const kTrustedAuth = "[paste_deploy]\nflavor = trusted-auth\n";

std::string saving_image(HttpClient& c, const HeaderList& as, const std::string& status) {
  auto r = c.post("/images", json{{"image", {{"status", status}}}}.dump(), as);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json()["image"]["id"];
}

json reserve(HttpClient& c, const HeaderList& as, const std::string& id, int64_t size,
             int64_t quota, unsigned expected_status = 200) {
  auto r = c.put("/reservations/" + id, json{{"size", size}, {"quota", quota}}.dump(), as);
  EXPECT_EQ(r.status, expected_status) << r.body;
  return r.status == 200 ? r.json() : json();
}

// A saving image holds the bytes a reservation granted it, not the size it declared: uploads
// refused their reservation must not, while still saving, refuse each other and the one that
// fits.
TEST(RegistryQuota, ASavingImageCountsOnlyWhatItReserved) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList q = identity("quota-owner");
  auto declared = [&](int64_t size) {
    auto r = c.post("/images", json{{"image", {{"status", "saving"}, {"size", size}}}}.dump(), q);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  };
  std::string first = declared(900), second = declared(900);
  EXPECT_EQ(c.get("/usage/quota-owner", q).json()["usage"], 0);
  EXPECT_EQ(reserve(c, q, first, 900, 1000), json({{"reserved", true}, {"usage", 0}}));
  EXPECT_EQ(reserve(c, q, second, 900, 1000), json({{"reserved", false}, {"usage", 900}}));
  EXPECT_EQ(c.get("/usage/quota-owner", q).json()["usage"], 900);
}

// A reservation whose MySQL connection dies before it committed is read back as absent, even
// when the image already declared that size, and made again: the bytes are then held.
TEST(RegistryQuota, AReservationCutOffBeforeItsCommitIsMadeAgain) {
  RegistryEnvironment env(std::string(kTrustedAuth) + "[database]\nmax_pool_size = 1\n");
  HttpClient c(env.daemon().port());
  const HeaderList q = identity("quota-owner");
  auto r = c.post("/images", json{{"image", {{"status", "saving"}, {"size", 900}}}}.dump(), q);
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string id = r.json()["image"]["id"];
  auto& server = MariadbServer::instance();
  const std::string db = env.database();
  // Another session holds the owner's quota fence for a while, so the reservation waits for it.
  std::thread holder([&] {
    server.sql(
        "START TRANSACTION; INSERT INTO write_fences VALUES ('owner:quota-owner', 1) "
        "ON DUPLICATE KEY UPDATE generation = generation + 1; SELECT SLEEP(4); COMMIT",
        db);
  });
  while (server.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE db = '" + db +
                    "' AND info LIKE 'SELECT SLEEP(4)%'") != "1\n")
    std::this_thread::yield();
  json reserved;
  std::thread reserving([&] { reserved = reserve(c, q, id, 900, 1000); });
  std::string waiting;
  for (int i = 0; i < 200 && waiting.empty(); ++i)
    waiting = server.sql("SELECT id FROM information_schema.processlist WHERE db = '" + db +
                         "' AND info LIKE '%write_fences%'");
  ASSERT_FALSE(waiting.empty());
  server.sql("KILL " + waiting);
  reserving.join();
  holder.join();
  EXPECT_EQ(reserved, json({{"reserved", true}, {"usage", 0}}));
  EXPECT_EQ(c.get("/usage/quota-owner", q).json()["usage"], 900);
  EXPECT_TRUE(env.daemon().running());
}

TEST(RegistryQuota, ReservationsCountSavingImagesAndRefuseWhatDoesNotFit) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList q = identity("quota-owner");
  std::string first = saving_image(c, q, "saving");
  std::string second = saving_image(c, q, "saving");
  EXPECT_EQ(reserve(c, q, first, 600, 1000), json({{"reserved", true}, {"usage", 0}}));
  // The first image is still saving, yet its 600 bytes count.
  EXPECT_EQ(reserve(c, q, second, 500, 1000), json({{"reserved", false}, {"usage", 600}}));
  EXPECT_EQ(c.get("/usage/quota-owner", q).json()["usage"], 600);
  EXPECT_EQ(reserve(c, q, second, 400, 1000), json({{"reserved", true}, {"usage", 600}}));
  // Killing an upload releases its bytes.
  ASSERT_EQ(c.put("/images/" + first, json{{"image", {{"status", "killed"}}}}.dump(), q).status,
            200u);
  EXPECT_EQ(c.get("/usage/quota-owner", q).json()["usage"], 400);
}

TEST(RegistryQuota, HostileReservationsAreRefused) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList q = identity("quota-owner");
  std::string queued = saving_image(c, q, "queued");
  reserve(c, q, queued, 1, 10, 409);  // only a saving image holds a reservation
  std::string id = saving_image(c, q, "saving");
  EXPECT_EQ(c.put("/reservations/" + id, "{}", q).status, 400u);
  EXPECT_EQ(c.put("/reservations/" + id, R"({"size": -1, "quota": 10})", q).status, 400u);
  EXPECT_EQ(c.put("/reservations/" + id, R"({"size": "1", "quota": 10})", q).status, 400u);
  EXPECT_EQ(c.put("/reservations/" + id, "not json", q).status, 400u);
  // Another tenant cannot reserve on (or learn of) this image.
  reserve(c, identity("intruder"), id, 1, 10, 404);
  EXPECT_TRUE(env.daemon().running());
}

// An ownerless image (an admin removed its owner) is charged to the tenant whose upload
// reserved it: that tenant's other reservations see it, saving or active, and other tenants'
// do not.
TEST(RegistryQuota, OwnerlessReservationsCountForTheReservingTenant) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList admin = identity("quota-admin", "admin");
  auto ownerless = [&](const HeaderList& as) {
    auto r =
        c.post("/images", json{{"image", {{"status", "saving"}, {"owner", nullptr}}}}.dump(), as);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(r.json()["image"]["owner"].is_null()) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  };
  std::string first = ownerless(admin), second = ownerless(admin);
  EXPECT_EQ(reserve(c, admin, first, 600, 1000), json({{"reserved", true}, {"usage", 0}}));
  EXPECT_EQ(reserve(c, admin, second, 500, 1000), json({{"reserved", false}, {"usage", 600}}));
  EXPECT_EQ(c.get("/usage/quota-admin", admin).json()["usage"], 600);
  // The tenant's own images and its ownerless ones share one quota, both ways.
  std::string owned = saving_image(c, admin, "saving");
  EXPECT_EQ(reserve(c, admin, owned, 500, 1000), json({{"reserved", false}, {"usage", 600}}));
  EXPECT_EQ(reserve(c, admin, owned, 300, 1000), json({{"reserved", true}, {"usage", 600}}));
  EXPECT_EQ(reserve(c, admin, second, 200, 1000), json({{"reserved", false}, {"usage", 900}}));
  // Another tenant's ownerless upload is charged to that tenant only.
  const HeaderList other = identity("other-admin", "admin");
  std::string theirs = ownerless(other);
  EXPECT_EQ(reserve(c, other, theirs, 900, 1000), json({{"reserved", true}, {"usage", 0}}));
  EXPECT_EQ(c.get("/usage/quota-admin", admin).json()["usage"], 900);
  // Active, the ownerless image still counts for the tenant that uploaded it.
  auto activated = c.put(
      "/images/" + first,
      json{{"image", {{"status", "active"}, {"location_data", {{{"url", "file:///tmp/first"}}}}}}}
          .dump(),
      admin);
  ASSERT_EQ(activated.status, 200u) << activated.body;
  EXPECT_EQ(c.get("/usage/quota-admin", admin).json()["usage"], 900);
  EXPECT_EQ(reserve(c, admin, second, 200, 1000), json({{"reserved", false}, {"usage", 900}}));
  // Killed, it releases its bytes.
  ASSERT_EQ(c.put("/images/" + owned, json{{"image", {{"status", "killed"}}}}.dump(), admin).status,
            200u);
  EXPECT_EQ(reserve(c, admin, second, 400, 1000), json({{"reserved", true}, {"usage", 600}}));
  EXPECT_TRUE(env.daemon().running());
}

HeaderList with_member_quota(HeaderList as, const std::string& quota) {
  as.emplace_back("X-Image-Member-Quota", quota);
  return as;
}

// The quota check and the insert in one transaction: racing adds never pass the quota.
TEST(RegistryQuota, RacingMemberAddsNeverPassTheMemberQuota) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList owner = identity("member-owner");
  std::string id = saving_image(c, owner, "queued");
  const std::string members = "/images/" + id + "/members";
  std::atomic<int> added{0}, refused{0}, other{0};
  std::vector<std::thread> adds;
  for (int i = 0; i < 12; ++i)
    adds.emplace_back([&, i] {
      auto r = c.put(members + "/tenant-" + std::to_string(i), "", with_member_quota(owner, "3"));
      if (r.status == 204u)
        ++added;
      else if (r.status == 413u && r.body.find("Attempted: 4, Maximum: 3") != std::string::npos)
        ++refused;
      else
        ++other;
    });
  for (auto& t : adds) t.join();
  EXPECT_EQ(added.load(), 3);
  EXPECT_EQ(refused.load(), 9);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(c.get(members, owner).json()["members"].size(), 3u);
  EXPECT_TRUE(env.daemon().running());
}

// A sharer lists only its own membership, yet every member counts; a caller who may not share
// hears that first; a replacement counts its list; no header means no limit, as upstream's
// registry has none.
TEST(RegistryQuota, MemberQuotaCountsEveryMemberWhoeverAdds) {
  RegistryEnvironment env(kTrustedAuth);
  HttpClient c(env.daemon().port());
  const HeaderList owner = identity("member-owner");
  std::string id = saving_image(c, owner, "queued");
  const std::string members = "/images/" + id + "/members";
  ASSERT_EQ(c.put(members + "/sharer", R"({"member": {"can_share": true}})",
                  with_member_quota(owner, "2"))
                .status,
            204u);
  ASSERT_EQ(c.put(members + "/plain", "", with_member_quota(owner, "2")).status, 204u);
  const HeaderList sharer = identity("sharer");
  EXPECT_EQ(c.get(members, sharer).json()["members"].size(), 1u);
  auto over = c.put(members + "/third", "", with_member_quota(sharer, "2"));
  EXPECT_EQ(over.status, 413u) << over.body;
  EXPECT_NE(over.body.find("The limit has been exceeded on the number of allowed image members "
                           "for this image. Attempted: 3, Maximum: 2"),
            std::string::npos)
      << over.body;
  // Re-adding an existing member counts it again, as upstream.
  EXPECT_EQ(
      c.put(members + "/plain", R"({"member": {"can_share": true}})", with_member_quota(owner, "2"))
          .status,
      413u);
  EXPECT_EQ(c.put(members + "/third", "", with_member_quota(identity("plain"), "2")).status, 403u);
  EXPECT_EQ(c.put(members + "/third", "", with_member_quota(identity("stranger"), "2")).status,
            404u);
  const std::string three =
      json{{"memberships", {{{"member_id", "a"}}, {{"member_id", "b"}}, {{"member_id", "c"}}}}}
          .dump();
  EXPECT_EQ(c.put(members, three, with_member_quota(owner, "2")).status, 413u);
  EXPECT_EQ(c.get(members, owner).json()["members"].size(), 2u);
  EXPECT_EQ(c.put(members, three, with_member_quota(owner, "3")).status, 204u);
  EXPECT_EQ(c.put(members + "/fourth", "", owner).status, 204u);
  EXPECT_EQ(c.get(members, owner).json()["members"].size(), 4u);
  // The quota comes from glance-api only as a count.
  for (const char* bad : {"-1", "two", "", "1e3", "99999999999999999999999"})
    EXPECT_EQ(c.put(members + "/fifth", "", with_member_quota(owner, bad)).status, 400u) << bad;
  EXPECT_EQ(c.get(members, owner).json()["members"].size(), 4u);
  EXPECT_TRUE(env.daemon().running());
}

}  // namespace
}  // namespace glance::testing
