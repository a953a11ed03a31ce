// The database executor against real lock conflicts in MariaDB: a transaction InnoDB rolls
// back (lock wait timeout, deadlock; Galera reports its certification failures the same way)
// is run again after a pause, at most once in effect, and the caller sees success instead of
// a 503 when the conflict clears within the budget.

#include "registry/db/db_executor.h"
#include "registry/db/db_metrics.h"
#include "registry/db/mysql_connection.h"
#include "registry/db/transaction.h"
#include "registry/db/write_fence.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/metrics_text.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <span>
#include <string>

namespace glance::registry {
namespace {

using glance::testing::MariadbServer;

class DbLockConflict : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = parse_database_url(MariadbServer::instance().fresh_database());
    ASSERT_TRUE(url) << url.error().message();
    url_ = *url;
    auto conn = MysqlConnection::connect(url_);
    ASSERT_TRUE(conn) << conn.error().message();
    holder_ = std::move(*conn);
    for (const char* sql : {"CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)",
                            "CREATE TABLE marks (name VARCHAR(64) PRIMARY KEY)",
                            "CREATE TABLE write_fences (name VARCHAR(262) PRIMARY KEY, "
                            "generation BIGINT NOT NULL)",
                            "INSERT INTO counters VALUES (1, 0), (2, 0)"})
      ASSERT_TRUE(holder_->execute_plain(sql)) << sql;
  }

  int64_t counter(int id) {
    const SqlValue key = int64_t{id};
    auto rows = holder_->query("SELECT n FROM counters WHERE id = ?", std::span(&key, 1));
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? std::stoll(*(*rows)[0][0]) : -1;
  }

  // A write that bumps the counters in `order` inside one transaction and leaves its mark;
  // the read-back looks for the mark. `pause` (seconds) is spent between the two counters.
  DbWrite<int64_t> bump(std::string mark, std::vector<int> order, std::string pause = "0") {
    DbWrite<int64_t> write;
    write.apply = [this, mark, order, pause](MysqlConnection& c) -> Result<int64_t> {
      ++runs_;
      if (auto r = c.execute_plain("SET SESSION innodb_lock_wait_timeout = 1"); !r)
        return r.error();
      return in_transaction(c, [&]() -> Result<int64_t> {
        for (size_t i = 0; i < order.size(); ++i) {
          if (i > 0)
            if (auto r = c.query("SELECT SLEEP(" + pause + ")"); !r) return r.error();
          const SqlValue key = int64_t{order[i]};
          if (auto r = c.execute("UPDATE counters SET n = n + 1 WHERE id = ?", std::span(&key, 1));
              !r)
            return r.error();
        }
        const SqlValue name = mark;
        if (auto r = c.execute("INSERT INTO marks VALUES (?)", std::span(&name, 1)); !r)
          return r.error();
        return int64_t{1};
      });
    };
    write.read_back = [this, mark](MysqlConnection& c) -> Result<std::optional<int64_t>> {
      ++read_backs_;
      const SqlValue name = mark;
      auto rows = c.query("SELECT name FROM marks WHERE name = ?", std::span(&name, 1));
      if (!rows) return rows.error();
      if (rows->empty()) return std::optional<int64_t>();
      return std::optional<int64_t>(1);
    };
    return write;
  }

  // A session variable of holder_ as text.
  std::string session(const std::string& variable) {
    auto rows = holder_->query("SELECT @@" + variable);
    EXPECT_TRUE(rows && rows->size() == 1);
    return rows && rows->size() == 1 ? (*rows)[0][0].value_or("NULL") : "";
  }

  // The value of one series of `metrics_`, or -1 when it is absent.
  double metric(const std::string& series) {
    return glance::testing::series_value(metrics_.scrape(), series);
  }

  common::metrics::Metrics metrics_;
  DbMetrics db_metrics_{metrics_, 1};
  DatabaseUrl url_;
  std::unique_ptr<MysqlConnection> holder_;
  std::atomic<int> runs_{0};
  std::atomic<int> read_backs_{0};
};

TEST_F(DbLockConflict, WriteThatTimesOutOnALockRunsAgainOnceTheLockIsFree) {
  ASSERT_TRUE(holder_->begin());
  ASSERT_TRUE(holder_->query("SELECT n FROM counters WHERE id = 1 FOR UPDATE"));
  DbExecutor db(url_, 1);
  db.set_metrics(&db_metrics_);
  auto write = bump("first", {1});
  auto outcome = std::async(std::launch::async, [&] { return db.write_sync(write); });
  // Free the row while the second run waits for it.
  ASSERT_TRUE(glance::testing::eventually([&] { return runs_ >= 2; }));
  EXPECT_EQ(metric("glance_registry_db_connections_in_use"), 1);
  ASSERT_TRUE(holder_->commit());
  auto result = outcome.get();
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(runs_, 2);
  EXPECT_EQ(read_backs_, 1);
  EXPECT_EQ(counter(1), 1);
  // One unit of work, run twice: one operation, one retry.
  EXPECT_EQ(metric("glance_registry_db_operations_total{kind=\"write\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(metric("glance_registry_db_retries_total{reason=\"lock_conflict\"}"), 1);
  EXPECT_EQ(metric("glance_registry_db_retries_total{reason=\"lost_connection\"}"), 0);
  EXPECT_EQ(metric("glance_registry_db_connections_in_use"), 0);
  EXPECT_GE(metric("glance_registry_db_operation_duration_seconds_sum{kind=\"write\"}"), 0.5);
}

TEST_F(DbLockConflict, ConflictThatOutlastsTheBudgetIsUnavailableAndChangesNothing) {
  ASSERT_TRUE(holder_->begin());
  ASSERT_TRUE(holder_->query("SELECT n FROM counters WHERE id = 1 FOR UPDATE"));
  DbExecutor db(url_, 1);
  db.set_metrics(&db_metrics_);
  auto result = db.write_sync(bump("never", {1}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), common::Errc::unavailable);
  EXPECT_EQ(metric("glance_registry_db_operations_total{kind=\"write\",outcome=\"unavailable\"}"),
            1);
  EXPECT_EQ(metric("glance_registry_db_operations_total{kind=\"write\",outcome=\"ok\"}"), 0);
  EXPECT_EQ(metric("glance_registry_db_retries_total{reason=\"lock_conflict\"}"),
            kMaxConflictAttempts - 1);
  EXPECT_EQ(runs_, kMaxConflictAttempts);
  EXPECT_EQ(read_backs_, kMaxConflictAttempts);
  ASSERT_TRUE(holder_->commit());
  EXPECT_EQ(counter(1), 0);
}

TEST_F(DbLockConflict, DeadlockedWritesBothLandExactlyOnce) {
  // Opposite lock orders with a pause between: InnoDB must roll one back.
  DbExecutor db(url_, 2);
  auto forward = bump("forward", {1, 2}, "0.3");
  auto backward = bump("backward", {2, 1}, "0.3");
  auto a = std::async(std::launch::async, [&] { return db.write_sync(forward); });
  auto b = std::async(std::launch::async, [&] { return db.write_sync(backward); });
  auto ra = a.get();
  auto rb = b.get();
  ASSERT_TRUE(ra) << ra.error().message();
  ASSERT_TRUE(rb) << rb.error().message();
  EXPECT_GT(runs_, 2) << "no deadlock happened: the test proves nothing";
  EXPECT_EQ(counter(1), 2);
  EXPECT_EQ(counter(2), 2);
}

TEST_F(DbLockConflict, ReadThatTimesOutOnALockRunsAgain) {
  ASSERT_TRUE(holder_->begin());
  ASSERT_TRUE(holder_->query("SELECT n FROM counters WHERE id = 1 FOR UPDATE"));
  DbExecutor db(url_, 1);
  std::atomic<int> reads{0};
  auto outcome = std::async(std::launch::async, [&] {
    return db.read_sync<int64_t>([&](MysqlConnection& c) -> Result<int64_t> {
      ++reads;
      if (auto r = c.execute_plain("SET SESSION innodb_lock_wait_timeout = 1"); !r)
        return r.error();
      return in_transaction(c, [&]() -> Result<int64_t> {
        auto rows = c.query("SELECT n FROM counters WHERE id = 1 LOCK IN SHARE MODE");
        if (!rows) return rows.error();
        return std::stoll(*(*rows)[0][0]);
      });
    });
  });
  ASSERT_TRUE(glance::testing::eventually([&] { return reads >= 2; }));
  ASSERT_TRUE(holder_->commit());
  auto result = outcome.get();
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(*result, 0);
  EXPECT_EQ(reads, 2);
}

// A Galera node may roll a transaction back between two of its statements (a replicated
// write needing its rows) without the client hearing of it. ROLLBACK from inside the body
// stands in for that: what the body writes afterwards must not commit, alone or at the end,
// and the caller must see a lock conflict.
TEST_F(DbLockConflict, FencedTransactionRolledBackBetweenStatementsCommitsNothing) {
  auto result = in_fenced_transaction(*holder_, "image:lost", [&]() -> Result<int64_t> {
    if (auto r = holder_->execute_plain("ROLLBACK"); !r) return r.error();
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    return int64_t{1};
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), common::Errc::unavailable) << result.error().message();
  EXPECT_TRUE(holder_->take_busy());
  EXPECT_FALSE(holder_->broken());
  EXPECT_EQ(counter(1), 0);
  EXPECT_EQ(session("autocommit"), "1");
  EXPECT_EQ(session("in_transaction"), "0");
}

TEST_F(DbLockConflict, FencedTransactionCommitsOrRollsBackAndTurnsAutocommitBackOn) {
  auto done = in_fenced_transaction(*holder_, "image:kept", [&]() -> Result<int64_t> {
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    return int64_t{7};
  });
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(*done, 7);
  EXPECT_FALSE(holder_->take_busy());
  EXPECT_EQ(counter(1), 1);
  EXPECT_EQ(session("autocommit"), "1");
  auto refused = in_fenced_transaction(*holder_, "image:kept", [&]() -> Result<int64_t> {
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    return Error::payload_too_large("over the quota");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), common::Errc::payload_too_large);
  EXPECT_FALSE(holder_->take_busy());
  EXPECT_EQ(counter(1), 1);
  EXPECT_EQ(session("autocommit"), "1");
  EXPECT_EQ(session("in_transaction"), "0");
  // The fence row holds the token of the transaction that committed, not the initial 0.
  auto rows = holder_->query("SELECT name, generation FROM write_fences");
  ASSERT_TRUE(rows && rows->size() == 1);
  EXPECT_EQ((*rows)[0][0], "image:kept");
  EXPECT_NE((*rows)[0][1], "0");
}

// Through the executor: the run that lost its transaction is read back, found absent, and run
// again; the write lands once.
TEST_F(DbLockConflict, FencedWriteThatLostItsTransactionRunsAgainAndLandsOnce) {
  DbExecutor db(url_, 1);
  db.set_metrics(&db_metrics_);
  DbWrite<int64_t> write;
  write.apply = [this](MysqlConnection& c) -> Result<int64_t> {
    const bool first = ++runs_ == 1;
    return in_fenced_transaction(c, "image:retried", [&]() -> Result<int64_t> {
      if (first)
        if (auto r = c.execute_plain("ROLLBACK"); !r) return r.error();
      if (auto r = c.execute("UPDATE counters SET n = n + 1 WHERE id = 2"); !r) return r.error();
      if (auto r = c.execute("INSERT INTO marks VALUES ('retried')"); !r) return r.error();
      return int64_t{1};
    });
  };
  write.read_back = [this](MysqlConnection& c) -> Result<std::optional<int64_t>> {
    ++read_backs_;
    auto rows = c.query("SELECT name FROM marks WHERE name = 'retried'");
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(1);
  };
  auto result = db.write_sync(write);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(runs_, 2);
  EXPECT_EQ(read_backs_, 1);
  EXPECT_EQ(counter(2), 1);
  EXPECT_EQ(metric("glance_registry_db_retries_total{reason=\"lock_conflict\"}"), 1);
}

// A guarded transaction (every write transaction on a Galera node) rolled back by the server
// between two statements: what it writes afterwards does not commit, alone or at the end.
// The rollback is injected here, on one server, where it can be made to happen at a known
// point; the Galera tests check that in_transaction guards there.
TEST_F(DbLockConflict, WriteTransactionRolledBackBetweenStatementsCommitsNothing) {
  auto result = in_guarded_transaction(*holder_, [&]() -> Result<int64_t> {
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    if (auto r = holder_->execute_plain("ROLLBACK"); !r) return r.error();
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 2"); !r)
      return r.error();
    if (auto r = holder_->execute("INSERT INTO marks VALUES ('partial')"); !r) return r.error();
    return int64_t{1};
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), common::Errc::unavailable) << result.error().message();
  EXPECT_TRUE(holder_->take_busy());
  EXPECT_FALSE(holder_->broken());
  EXPECT_EQ(counter(1), 0);
  EXPECT_EQ(counter(2), 0);
  auto marks = holder_->query("SELECT name FROM marks");
  ASSERT_TRUE(marks);
  EXPECT_TRUE(marks->empty());
  EXPECT_EQ(session("autocommit"), "1");
  EXPECT_EQ(session("in_transaction"), "0");
  auto guards = holder_->query("SELECT name FROM write_fences");
  ASSERT_TRUE(guards);
  EXPECT_TRUE(guards->empty());
}

TEST_F(DbLockConflict, WriteTransactionCommitsWholeAndLeavesNoGuardRow) {
  for (int i = 0; i < 3; ++i) {
    auto done = in_guarded_transaction(*holder_, [&]() -> Result<int64_t> {
      if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
        return r.error();
      if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 2"); !r)
        return r.error();
      return int64_t{1};
    });
    ASSERT_TRUE(done) << done.error().message();
  }
  EXPECT_FALSE(holder_->take_busy());
  EXPECT_EQ(counter(1), 3);
  EXPECT_EQ(counter(2), 3);
  EXPECT_EQ(session("autocommit"), "1");
  auto guards = holder_->query("SELECT name FROM write_fences");
  ASSERT_TRUE(guards);
  EXPECT_TRUE(guards->empty());
  // A failing body is rolled back as before: nothing of it, nor of its guard, remains.
  auto refused = in_guarded_transaction(*holder_, [&]() -> Result<int64_t> {
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    return Error::conflict("refused");
  });
  ASSERT_FALSE(refused);
  EXPECT_FALSE(holder_->take_busy());
  EXPECT_EQ(counter(1), 3);
  EXPECT_EQ(session("autocommit"), "1");
  EXPECT_EQ(session("in_transaction"), "0");
}

// On one server a transaction is never rolled back between statements unheard, so a write
// transaction is not guarded there: no guard row, autocommit left on, START TRANSACTION.
TEST_F(DbLockConflict, WriteTransactionOnOneServerIsPlain) {
  ASSERT_FALSE(holder_->galera_node());
  auto seen = in_transaction(*holder_, [&]() -> Result<int64_t> {
    if (auto r = holder_->execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r)
      return r.error();
    auto guards = holder_->query("SELECT COUNT(*) FROM write_fences");
    if (!guards) return guards.error();
    EXPECT_EQ(session("autocommit"), "1");
    EXPECT_EQ(session("in_transaction"), "1");
    return std::stoll(*(*guards)[0][0]);
  });
  ASSERT_TRUE(seen) << seen.error().message();
  EXPECT_EQ(*seen, 0);
  EXPECT_EQ(counter(1), 1);
}

// Through the executor: an unfenced multi-statement write that lost its transaction midway is
// read back, found absent, run again, and lands once, whole.
TEST_F(DbLockConflict, WriteThatLostItsTransactionMidwayRunsAgainAndLandsOnceWhole) {
  DbExecutor db(url_, 1);
  db.set_metrics(&db_metrics_);
  DbWrite<int64_t> write;
  write.apply = [this](MysqlConnection& c) -> Result<int64_t> {
    const bool first = ++runs_ == 1;
    return in_guarded_transaction(c, [&]() -> Result<int64_t> {
      if (auto r = c.execute("UPDATE counters SET n = n + 1 WHERE id = 1"); !r) return r.error();
      if (first)
        if (auto r = c.execute_plain("ROLLBACK"); !r) return r.error();
      if (auto r = c.execute("UPDATE counters SET n = n + 1 WHERE id = 2"); !r) return r.error();
      if (auto r = c.execute("INSERT INTO marks VALUES ('whole')"); !r) return r.error();
      return int64_t{1};
    });
  };
  write.read_back = [this](MysqlConnection& c) -> Result<std::optional<int64_t>> {
    ++read_backs_;
    auto rows = c.query("SELECT name FROM marks WHERE name = 'whole'");
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(1);
  };
  auto result = db.write_sync(write);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(runs_, 2);
  EXPECT_EQ(read_backs_, 1);
  EXPECT_EQ(counter(1), 1);
  EXPECT_EQ(counter(2), 1);
  EXPECT_EQ(metric("glance_registry_db_retries_total{reason=\"lock_conflict\"}"), 1);
}

}  // namespace
}  // namespace glance::registry
