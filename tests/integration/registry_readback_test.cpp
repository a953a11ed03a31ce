// glance-registry writes whose COMMIT outcome it cannot know: the MySQL connection dies right
// after COMMIT was sent. A proxy between the registry and MariaDB cuts it either after the
// server committed or before the COMMIT reached it. Either way the registry must read back on
// a fresh connection and give one consistent answer: the write stored exactly once, with every
// field, and the client told what is stored.

#include "tests/support/full_image.h"
#include "tests/support/mysql_cutting_proxy.h"
#include "tests/support/process_health.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace glance::testing {
namespace {

using nlohmann::json;
using Cut = MysqlCuttingProxy::Cut;

const HeaderList kAdmin = identity("tenant-admin", "admin");

constexpr const char* kName = "read-back";
constexpr const char* kLocation = "file:///var/lib/glance/images/read-back";

// A fresh database, the proxy in front of MariaDB, and a registry that reaches MariaDB only
// through the proxy.
class ReadBackEnvironment {
 public:
  ReadBackEnvironment() : proxy_(MariadbServer::instance().port()) {
    const std::string direct = MariadbServer::instance().fresh_database();
    database_ = direct.substr(direct.rfind('/') + 1);
    const std::string proxied =
        "mysql://glance:glancepw@127.0.0.1:" + std::to_string(proxy_.port()) + "/" + database_;
    // One pool thread: its connection is the one cut, and the one replaced.
    registry_ = std::make_unique<Daemon>(
        registry_binary(), registry_config(proxied, "[database]\nmax_pool_size = 1\n"));
    auto [code, out] =
        Daemon::run(manage_binary(), "--config-file " + registry_->config_path() + " db_sync");
    if (code != 0) throw std::runtime_error("db_sync failed: " + out);
    registry_->start();
    if (client().get("/images", kAdmin).status != 200)
      throw std::runtime_error("the registry does not serve:\n" + registry_->log());
    baseline_ = ProcessHealth::snapshot(registry_->pid());
  }

  MysqlCuttingProxy& proxy() { return proxy_; }
  HttpClient client() const { return HttpClient(registry_->port()); }
  Daemon& registry() { return *registry_; }
  // Taken once the registry had served a request through its pool.
  const ProcessHealth& baseline() const { return baseline_; }
  // One number from SQL run directly against MariaDB, past the proxy.
  int count(const std::string& query) const {
    return std::stoi(MariadbServer::instance().sql(query, database_));
  }

 private:
  MysqlCuttingProxy proxy_;
  std::string database_;
  std::unique_ptr<Daemon> registry_;
  ProcessHealth baseline_;
};

// What MariaDB holds for image `id`: one live row, its two properties and its one location.
void expect_stored_once(const ReadBackEnvironment& env, const std::string& id) {
  EXPECT_EQ(env.count("SELECT COUNT(*) FROM images WHERE name = 'read-back'"), 1);
  EXPECT_EQ(env.count("SELECT COUNT(*) FROM image_properties WHERE image_id = '" + id +
                      "' AND deleted = 0"),
            2);
  EXPECT_EQ(env.count("SELECT COUNT(*) FROM image_locations WHERE image_id = '" + id + "'"), 1);
}

// The registry still serves, a plain write through the proxy commits normally, and the
// registry holds no more descriptors, threads or memory than before the cut.
void expect_serving(ReadBackEnvironment& env) {
  auto c = env.client();
  const int before = env.proxy().commits_passed();
  auto later = c.post("/images", json{{"image", {{"name", "later"}}}}.dump(), kAdmin);
  EXPECT_EQ(later.status, 200u) << later.body;
  EXPECT_GT(env.proxy().commits_passed(), before);
  EXPECT_EQ(c.get("/images/detail?is_public=none", kAdmin).status, 200u);
  expect_recovered(env.registry(), env.baseline());
}

// What the registry answered a write cut once: the image, or an empty object when it did
// not answer 200.
json told_across_the_cut(ReadBackEnvironment& env, const HttpResponse& r) {
  EXPECT_EQ(env.proxy().cuts(), 1);
  EXPECT_EQ(r.status, 200u) << r.body << "\n" << env.registry().log();
  if (r.status != 200u) return json::object();
  return r.json()["image"];
}

json create_across(ReadBackEnvironment& env, Cut how) {
  auto c = env.client();
  EXPECT_EQ(c.get("/images", kAdmin).status, 200u);  // the pool is open and unharmed
  env.proxy().arm(how);
  return told_across_the_cut(
      env, c.post("/images", json{{"image", full_image(kName, kLocation)}}.dump(), kAdmin));
}

// The end of every cut write: the client was told the full image, which MariaDB holds once
// and the registry shows as told, and the registry serves on.
void expect_told_what_is_stored(ReadBackEnvironment& env, const json& told) {
  ASSERT_TRUE(told.contains("id"));
  expect_full_image(told, kName, kLocation);
  // Running the write again would have met its own row (create: 409) or failed its
  // compare-and-set (activation: 409), not answered 200.
  expect_stored_once(env, told["id"]);
  auto shown = env.client().get("/images/" + told["id"].get<std::string>(), kAdmin);
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.json()["image"], told);
  expect_serving(env);
}

TEST(RegistryReadBack, CreateCommittedWithItsAnswerLostIsReadBackNotRepeated) {
  ReadBackEnvironment env;
  expect_told_what_is_stored(env, create_across(env, Cut::after_commit));
}

TEST(RegistryReadBack, CreateWhoseCommitNeverArrivedRunsAgainOnce) {
  ReadBackEnvironment env;
  expect_told_what_is_stored(env, create_across(env, Cut::before_commit));
}

// A saving image, then its activation with every field (compare-and-set from saving) across
// the cut. A repeated activation would fail its compare-and-set and answer 409.
json activate_across(ReadBackEnvironment& env, Cut how) {
  auto c = env.client();
  auto bare = c.post("/images", json{{"image", {{"status", "saving"}}}}.dump(), kAdmin);
  EXPECT_EQ(bare.status, 200u) << bare.body;
  std::string id = bare.json()["image"]["id"];
  env.proxy().arm(how);
  return told_across_the_cut(
      env, c.put("/images/" + id,
                 json{{"image", full_image(kName, kLocation)}, {"from_state", "saving"}}.dump(),
                 kAdmin));
}

TEST(RegistryReadBack, ActivationCommittedWithItsAnswerLostIsReadBackNotRepeated) {
  ReadBackEnvironment env;
  expect_told_what_is_stored(env, activate_across(env, Cut::after_commit));
}

TEST(RegistryReadBack, ActivationWhoseCommitNeverArrivedRunsAgainOnce) {
  ReadBackEnvironment env;
  expect_told_what_is_stored(env, activate_across(env, Cut::before_commit));
}

TEST(RegistryReadBack, DeleteCommittedWithItsAnswerLostIsReadBackAsDeleted) {
  ReadBackEnvironment env;
  auto c = env.client();
  auto created = c.post("/images", json{{"image", full_image(kName, kLocation)}}.dump(), kAdmin);
  ASSERT_EQ(created.status, 200u) << created.body;
  std::string id = created.json()["image"]["id"];
  env.proxy().arm(Cut::after_commit);
  auto deleted = c.del("/images/" + id, kAdmin);
  EXPECT_EQ(env.proxy().cuts(), 1);
  // Read back or repeated (an admin's delete of a deleted image stands), the client is told
  // what is stored: deleted, once.
  ASSERT_EQ(deleted.status, 200u) << deleted.body << "\n" << env.registry().log();
  EXPECT_EQ(deleted.json()["image"]["id"], id);
  EXPECT_EQ(deleted.json()["image"]["deleted"], true);
  EXPECT_EQ(env.count("SELECT COUNT(*) FROM images WHERE id = '" + id + "' AND deleted = 1"), 1);
  EXPECT_EQ(env.count("SELECT COUNT(*) FROM image_properties WHERE image_id = '" + id +
                      "' AND deleted = 0"),
            0);
  expect_serving(env);
}

}  // namespace
}  // namespace glance::testing
