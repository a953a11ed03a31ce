// glance-registry under faults: MySQL restarts and outages, bad start-up conditions.

#include "tests/support/eventually.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(RegistryFaults, ServesAgainAfterMysqlRestartsWithoutARestartOfItsOwn) {
  RegistryEnvironment env;
  HttpClient c(env.daemon().port());
  auto created = c.post("/images", json{{"image", {{"name", "survivor"}}}}.dump());
  ASSERT_EQ(created.status, 200u);
  std::string id = created.json()["image"]["id"];
  MariadbServer::instance().restart();
  // Every pooled connection is now stale; the first use of each must still succeed.
  for (int i = 0; i < 20; ++i) {
    auto r = c.get("/images/" + id);
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  EXPECT_TRUE(env.daemon().running());
}

TEST(RegistryFaults, MysqlDownGives503QuicklyThenRecovers) {
  RegistryEnvironment env;
  HttpClient c(env.daemon().port());
  ASSERT_EQ(c.get("/images").status, 200u);
  MariadbServer::instance().stop();
  auto started = std::chrono::steady_clock::now();
  auto down = c.get("/images");
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(c.post("/images", json{{"image", {{"name", "x"}}}}.dump()).status, 503u);
  MariadbServer::instance().start();
  EXPECT_EQ(c.get("/images").status, 200u);
  EXPECT_EQ(c.post("/images", json{{"image", {{"name", "after"}}}}.dump()).status, 200u);
}

TEST(RegistryFaults, RefusesToStartWithoutMysql) {
  Daemon d(registry_binary(), registry_config("mysql://glance:glancepw@127.0.0.1:1/glance"));
  try {
    d.start();
    FAIL() << "started without MySQL";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cannot use the database"), std::string::npos) << e.what();
  }
}

TEST(RegistryFaults, RefusesToStartOnAnOldSchema) {
  Daemon d(registry_binary(), registry_config(MariadbServer::instance().fresh_database()));
  try {
    d.start();
    FAIL() << "started on an empty schema";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("glance-manage db_sync"), std::string::npos) << e.what();
  }
}

TEST(RegistryFaults, BadConfigValueExitsNonZeroNamingTheOption) {
  Daemon d(registry_binary(),
           registry_config(MariadbServer::instance().fresh_database(), "workers = many\n"));
  auto [code, out] = Daemon::run(registry_binary(), "--config-file " + d.config_path());
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("workers"), std::string::npos) << out;
}

TEST(RegistryFaults, UnknownOptionWarnsAndVersionPrints) {
  RegistryEnvironment env("bind_prot = 1\n");
  EXPECT_NE(env.daemon().log().find("unknown option DEFAULT.bind_prot"), std::string::npos);
  auto [code, out] = Daemon::run(registry_binary(), "--version");
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(out.empty());
}

TEST(RegistryFaults, DbVersionAndSyncAreIdempotent) {
  auto url = MariadbServer::instance().fresh_database();
  Daemon d(registry_binary(), registry_config(url));
  auto args = "--config-file " + d.config_path();
  EXPECT_EQ(Daemon::run(manage_binary(), args + " db_version"),
            std::make_pair(0, std::string("0\n")));
  EXPECT_EQ(Daemon::run(manage_binary(), args + " db_sync").first, 0);
  EXPECT_EQ(Daemon::run(manage_binary(), args + " db sync").first, 0);
  auto [code, version] = Daemon::run(manage_binary(), args + " db version");
  EXPECT_EQ(code, 0);
  EXPECT_GE(std::stoi(version), 2);  // every migration applied
  EXPECT_EQ(Daemon::run(manage_binary(), args + " frobnicate").first, 2);
}

TEST(RegistryFaults, DbSyncGivesAnExistingDatabaseTheLocationValueIndexAndKeepsItsRows) {
  auto& db = MariadbServer::instance();
  const auto url = db.fresh_database();
  const auto name = url.substr(url.rfind('/') + 1);
  Daemon d(registry_binary(), registry_config(url));
  const auto args = "--config-file " + d.config_path();
  ASSERT_EQ(Daemon::run(manage_binary(), args + " db_sync").first, 0);
  // The database as the release before the index left it, with an image and a location.
  db.sql("ALTER TABLE image_locations DROP KEY ix_image_locations_value", name);
  const auto top = db.sql("SELECT MAX(version) FROM glance_schema_version", name);
  db.sql("DELETE FROM glance_schema_version WHERE version = " + top, name);
  const auto before = Daemon::run(manage_binary(), args + " db_version");
  ASSERT_EQ(before.first, 0);
  ASSERT_EQ(std::stoi(before.second), std::stoi(top) - 1);
  db.sql(
      "INSERT INTO images (id, status, created_at) VALUES "
      "('0e7c0c2e-0000-4000-8000-00000000a001', 'active', NOW(6))",
      name);
  db.sql(
      "INSERT INTO image_locations (image_id, value, created_at) VALUES "
      "('0e7c0c2e-0000-4000-8000-00000000a001', 'file:///kept', NOW(6))",
      name);
  const auto plan = [&] {
    return db.sql("EXPLAIN SELECT id FROM image_locations WHERE value = 'file:///kept'", name);
  };
  ASSERT_EQ(plan().find("ix_image_locations_value"), std::string::npos) << plan();

  ASSERT_EQ(Daemon::run(manage_binary(), args + " db_sync").first, 0);
  auto after = Daemon::run(manage_binary(), args + " db_version");
  EXPECT_EQ(after, std::make_pair(0, top));
  EXPECT_NE(plan().find("ix_image_locations_value"), std::string::npos) << plan();
  EXPECT_EQ(db.sql("SELECT value FROM image_locations", name), "file:///kept\n");
  // And the registry starts on it.
  d.start();
  EXPECT_EQ(d.stop(), 0);
}

TEST(RegistryFaults, SigtermExitsCleanly) {
  RegistryEnvironment env;
  EXPECT_EQ(env.daemon().stop(), 0);
}

TEST(RegistryFaults, HealthcheckHonoursTheDisableFile) {
  std::string flag = make_temp_dir("glance-hc") + "/disable";
  RegistryEnvironment env("[healthcheck]\ndisable_by_file_path = " + flag + "\n");
  HttpClient c(env.daemon().port());
  EXPECT_EQ(c.get("/healthcheck").status, 200u);
  run_command("touch " + flag);
  EXPECT_EQ(c.get("/healthcheck").status, 503u);
}

// [healthcheck] check_database_node (on by default): a registry whose database does not
// answer fails the check a load balancer asks, and passes it again by itself. On a plain
// MariaDB (no Galera) answering is all it takes.
TEST(RegistryFaults, HealthcheckFailsWhileMysqlIsDownAndRecovers) {
  RegistryEnvironment env;
  HttpClient c(env.daemon().port());
  EXPECT_EQ(c.get("/healthcheck").body, "OK");
  EXPECT_EQ(c.head("/healthcheck").status, 200u);
  EXPECT_EQ(c.get("/healthcheck/detailed").body, R"({"database":"OK"})");
  MariadbServer::instance().stop();
  EXPECT_TRUE(eventually([&] { return c.get("/healthcheck").status == 503u; }, 30s));
  auto down = c.get("/healthcheck");
  EXPECT_NE(down.body.find("MySQL"), std::string::npos) << down.body;
  EXPECT_EQ(c.head("/healthcheck").status, 503u);
  EXPECT_EQ(c.get("/healthcheck/detailed").status, 503u);
  MariadbServer::instance().start();
  EXPECT_TRUE(eventually([&] { return c.get("/healthcheck").status == 200u; }, 30s));
  EXPECT_EQ(c.get("/healthcheck").body, "OK");
}

// A database that hangs (its host stopped, connections open): the check that asks it waits,
// the others answer 503 at once, never queueing questions behind it.
TEST(RegistryFaults, HealthcheckAnswersPromptlyWhileMysqlHangs) {
  RegistryEnvironment env("[database]\nmax_pool_size = 2\n");
  HttpClient c(env.daemon().port());
  ASSERT_EQ(c.get("/healthcheck").status, 200u);
  auto& server = MariadbServer::instance();
  server.freeze(true);
  struct Thaw {
    MariadbServer& server;
    ~Thaw() { server.freeze(false); }
  } thaw{server};
  EXPECT_TRUE(eventually([&] { return c.get("/healthcheck").status == 503u; }, 30s));
  // The reason: the question still hanging, or the connect timeout it ended with.
  for (int i = 0; i < 20; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto hung = c.get("/healthcheck");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(hung.status, 503u);
    EXPECT_TRUE(hung.body.find("has not answered the health check") != std::string::npos ||
                hung.body.find("cannot connect to MySQL") != std::string::npos)
        << hung.body;
  }
  server.freeze(false);
  EXPECT_TRUE(eventually([&] { return c.get("/healthcheck").status == 200u; }, 60s));
  EXPECT_EQ(c.get("/images").status, 200u);
}

// check_database_node = false: upstream's check, the disable file alone.
TEST(RegistryFaults, HealthcheckWithoutTheDatabaseCheckIgnoresMysql) {
  RegistryEnvironment env("[healthcheck]\ncheck_database_node = false\n");
  HttpClient c(env.daemon().port());
  MariadbServer::instance().stop();
  // Longer than a database answer is kept.
  EXPECT_FALSE(eventually([&] { return c.get("/healthcheck").status != 200u; }, 3s));
  EXPECT_EQ(c.get("/healthcheck").body, "OK");
  EXPECT_EQ(c.get("/healthcheck/detailed").status, 503u);
  EXPECT_EQ(c.head("/healthcheck/detailed").status, 503u);
  // The plain check is a filter here, not a route: it refuses other methods all the same.
  auto deleted = c.del("/healthcheck");
  EXPECT_EQ(deleted.status, 405u);
  EXPECT_EQ(deleted.header("Allow"), std::optional<std::string>("GET, HEAD"));
  MariadbServer::instance().start();
}

// The disable file wins over a healthy database, and HEAD answers as GET.
TEST(RegistryFaults, HealthcheckDisableFileWinsOverTheDatabaseCheck) {
  std::string flag = make_temp_dir("glance-hc") + "/disable";
  RegistryEnvironment env("[healthcheck]\ndisable_by_file_path = " + flag + "\n");
  HttpClient c(env.daemon().port());
  run_command("touch " + flag);
  auto r = c.get("/healthcheck");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body, "DISABLED BY FILE");
  EXPECT_EQ(c.head("/healthcheck").status, 503u);
  run_command("rm " + flag);
  EXPECT_EQ(c.get("/healthcheck").body, "OK");
  // An operational path, not a registry route: another method is 405, as on /metrics.
  auto posted = c.post("/healthcheck", "");
  EXPECT_EQ(posted.status, 405u);
  EXPECT_EQ(posted.header("Allow"), std::optional<std::string>("GET, HEAD"));
}

}  // namespace
}  // namespace glance::testing
