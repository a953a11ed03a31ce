#include "registry/db/write_fence.h"

#include <spdlog/spdlog.h>

#include <random>
#include <span>

namespace glance::registry {

namespace {
// A token no other transaction writes into the same fence in practice: 62 random bits.
int64_t fresh_token() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return static_cast<int64_t>(random() >> 2);
}
}  // namespace

Result<int64_t> enter_fence(MysqlConnection& db, const std::string& name) {
  const int64_t token = fresh_token();
  SqlValue p[] = {token, name};
  // An UPDATE by primary key, which Galera certifies reliably (INSERT ... ON DUPLICATE KEY
  // UPDATE let two nodes' fence writes both commit). The row is created on first use only:
  // INSERT IGNORE read-locks an existing row before the UPDATE write-locks it, so two
  // writers that both hold the read lock deadlock.
  auto entered = db.execute("UPDATE write_fences SET generation = ? WHERE name = ?", p);
  if (!entered) return entered.error();
  if (*entered != 0) return token;
  const SqlValue key = name;
  if (auto created = db.execute("INSERT IGNORE INTO write_fences (name, generation) VALUES (?, 0)",
                                std::span(&key, 1));
      !created)
    return created.error();
  entered = db.execute("UPDATE write_fences SET generation = ? WHERE name = ?", p);
  if (!entered) return entered.error();
  return token;
}

Result<void> confirm_fence(MysqlConnection& db, const std::string& name, int64_t token) {
  const SqlValue key = name;
  // A locking read: the newest committed row, or this transaction's own write.
  auto rows =
      db.query("SELECT generation FROM write_fences WHERE name = ? FOR UPDATE", std::span(&key, 1));
  if (!rows) return rows.error();
  if (!rows->empty() && rows->front()[0] == std::to_string(token)) return {};
  spdlog::warn("a transaction in fence {} was rolled back by MySQL between its statements", name);
  return db.lost_transaction("the transaction lost its fence " + name +
                             " (rolled back by the server between statements)");
}

Result<std::string> open_transaction_guard(MysqlConnection& db) {
  // A key of its own: no other transaction, on this node or another, writes the same row, so
  // the guard never waits nor conflicts.
  SqlValue p[] = {"transaction:" + std::to_string(fresh_token())};
  if (auto r = db.execute("INSERT INTO write_fences (name, generation) VALUES (?, 0)", p); !r)
    return r.error();
  return std::get<std::string>(p[0]);
}

Result<void> close_transaction_guard(MysqlConnection& db, const std::string& name) {
  const SqlValue key = name;
  auto deleted = db.execute("DELETE FROM write_fences WHERE name = ?", std::span(&key, 1));
  if (!deleted) return deleted.error();
  if (*deleted == 1) return {};
  spdlog::warn("a write transaction was rolled back by MySQL between its statements");
  return db.lost_transaction("the transaction lost its guard row " + name +
                             " (rolled back by the server between statements)");
}

std::string owner_fence(const std::string& owner) {
  return "owner:" + owner;
}

std::string image_fence(const std::string& image_id) {
  return "image:" + image_id;
}

}  // namespace glance::registry
