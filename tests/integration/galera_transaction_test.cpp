// The registry's write transactions on a Galera node are guarded: one the server rolls back
// between two statements (a brute-force abort; injected here with a ROLLBACK, since the real
// one cannot be made to happen at a known point) commits nothing, neither the statements
// after the rollback nor the rest at COMMIT.

#include "registry/db/mysql_connection.h"
#include "registry/db/transaction.h"
#include "tests/support/galera_cluster.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace glance::registry {
namespace {

using glance::testing::GaleraCluster;

class GaleraTransaction : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = parse_database_url(
        GaleraCluster::instance().url(1, GaleraCluster::instance().fresh_database()));
    ASSERT_TRUE(url) << url.error().message();
    auto conn = MysqlConnection::connect(*url);
    ASSERT_TRUE(conn) << conn.error().message();
    db_ = std::move(*conn);
    for (const char* sql : {"CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)",
                            "CREATE TABLE write_fences (name VARCHAR(262) PRIMARY KEY, "
                            "generation BIGINT NOT NULL)",
                            "INSERT INTO counters VALUES (1, 0), (2, 0)"})
      ASSERT_TRUE(db_->execute_plain(sql)) << sql;
  }

  std::string one(const std::string& query) {
    auto rows = db_->query(query);
    EXPECT_TRUE(rows && rows->size() == 1) << query;
    return rows && rows->size() == 1 ? (*rows)[0][0].value_or("NULL") : "";
  }

  std::unique_ptr<MysqlConnection> db_;
};

TEST_F(GaleraTransaction, AWriteTransactionRolledBackBetweenStatementsCommitsNothing) {
  ASSERT_TRUE(db_->galera_node());
  std::string guards_seen, autocommit_seen;
  auto result = in_transaction(*db_, [&]() -> Result<int64_t> {
    if (auto r = db_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r) return r.error();
    guards_seen = one("SELECT COUNT(*) FROM write_fences");
    autocommit_seen = one("SELECT @@autocommit");
    if (auto r = db_->execute_plain("ROLLBACK"); !r) return r.error();
    if (auto r = db_->execute("UPDATE counters SET n = n + 1 WHERE id = 2"); !r) return r.error();
    return int64_t{1};
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), common::Errc::unavailable) << result.error().message();
  EXPECT_TRUE(db_->take_busy());
  EXPECT_EQ(guards_seen, "1");
  EXPECT_EQ(autocommit_seen, "0");
  EXPECT_EQ(one("SELECT SUM(n) FROM counters"), "0");
  EXPECT_EQ(one("SELECT COUNT(*) FROM write_fences"), "0");
  EXPECT_EQ(one("SELECT @@autocommit"), "1");
  // And one left alone commits whole, its guard gone with it.
  auto done = in_transaction(*db_, [&]() -> Result<int64_t> {
    for (const char* sql : {"UPDATE counters SET n = n + 1 WHERE id = 1",
                            "UPDATE counters SET n = n + 1 WHERE id = 2"})
      if (auto r = db_->execute(sql); !r) return r.error();
    return int64_t{1};
  });
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(one("SELECT SUM(n) FROM counters"), "2");
  EXPECT_EQ(one("SELECT COUNT(*) FROM write_fences"), "0");
}

}  // namespace
}  // namespace glance::registry
