// glance-registry writes across a lost MySQL connection: a MariaDB restart or a connection
// that outlived wait_timeout between two writes must not change what the second write stores.

#include "tests/support/full_image.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <string>

namespace glance::testing {
namespace {

using nlohmann::json;

const HeaderList kAdmin = identity("tenant-admin", "admin");

constexpr const char* kName = "kept-name";
constexpr const char* kLocation = "file:///var/lib/glance/images/kept";

void expect_kept(const json& img) {
  expect_full_image(img, kName, kLocation);
}

// One pool thread, so the write after the fault meets the connection the fault broke.
constexpr const char* kOneConnection = "[database]\nmax_pool_size = 1\n";

// Runs `write` after a warm-up read has opened the pool's connection and `break_it` has
// made that connection stale; returns what the registry stored, read back through the API.
template <class Break, class Write>
json write_across(RegistryEnvironment& env, Break break_it, Write write) {
  HttpClient c(env.daemon().port());
  EXPECT_EQ(c.get("/images", kAdmin).status, 200u);
  break_it();
  std::string id = write(c);
  auto shown = c.get("/images/" + id, kAdmin);
  EXPECT_EQ(shown.status, 200u) << shown.body;
  return shown.json()["image"];
}

std::string create_full(HttpClient& c) {
  auto r = c.post("/images", json{{"image", full_image(kName, kLocation)}}.dump(), kAdmin);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json()["image"]["id"];
}

void restart_mysql() {
  MariadbServer::instance().restart();
}

// Waits until the server has closed every connection of `database` (wait_timeout expiry).
void wait_until_idle_connections_closed(const std::string& database) {
  auto& server = MariadbServer::instance();
  for (int i = 0; i < 600; ++i) {
    auto count = server.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE db = '" +
                            database + "'");
    if (std::stoi(count) == 0) return;
    run_command("sleep 0.05");
  }
  FAIL() << "the server kept the idle connection open";
}

// A short global wait_timeout for the connections opened while this lives.
class ShortWaitTimeout {
 public:
  ShortWaitTimeout() {
    saved_ = MariadbServer::instance().sql("SELECT @@GLOBAL.wait_timeout");
    MariadbServer::instance().sql("SET GLOBAL wait_timeout = 1");
  }
  ~ShortWaitTimeout() { MariadbServer::instance().sql("SET GLOBAL wait_timeout = " + saved_); }

 private:
  std::string saved_;
};

TEST(RegistryRetry, CreateAfterMysqlRestartKeepsEveryField) {
  RegistryEnvironment env(kOneConnection);
  expect_kept(write_across(env, restart_mysql, create_full));
}

TEST(RegistryRetry, CreateAfterWaitTimeoutKeepsEveryField) {
  ShortWaitTimeout short_timeout;
  RegistryEnvironment env(kOneConnection);
  expect_kept(write_across(
      env, [&] { wait_until_idle_connections_closed(env.database()); }, create_full));
}

// Creates a bare queued image first, then updates it with every field across the fault.
template <class Break>
json update_across(RegistryEnvironment& env, Break break_it) {
  HttpClient c(env.daemon().port());
  auto bare = c.post("/images", json{{"image", {{"status", "saving"}}}}.dump(), kAdmin);
  EXPECT_EQ(bare.status, 200u) << bare.body;
  std::string id = bare.json()["image"]["id"];
  return write_across(env, break_it, [&](HttpClient& client) {
    auto r = client.put(
        "/images/" + id,
        json{{"image", full_image(kName, kLocation)}, {"from_state", "saving"}}.dump(), kAdmin);
    EXPECT_EQ(r.status, 200u) << r.body;
    return id;
  });
}

TEST(RegistryRetry, UpdateAfterMysqlRestartKeepsEveryField) {
  RegistryEnvironment env(kOneConnection);
  auto img = update_across(env, restart_mysql);
  expect_kept(img);
  EXPECT_EQ(img["status"], "active");
}

TEST(RegistryRetry, UpdateAfterWaitTimeoutKeepsEveryField) {
  ShortWaitTimeout short_timeout;
  RegistryEnvironment env(kOneConnection);
  auto img = update_across(env, [&] { wait_until_idle_connections_closed(env.database()); });
  expect_kept(img);
  EXPECT_EQ(img["status"], "active");
}

}  // namespace
}  // namespace glance::testing
