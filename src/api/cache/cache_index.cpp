#include "api/cache/cache_index.h"

#include <sqlite3.h>

namespace glance::api {

using common::Error;
using common::Result;

namespace {

Error sqlite_error(sqlite3* db, const std::string& what) {
  return Error::internal("image cache index: " + what + ": " + sqlite3_errmsg(db));
}

// A prepared statement, finalized when it goes.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, double value) { sqlite3_bind_double(stmt_, i, value); }
  void bind(int i, uint64_t value) { sqlite3_bind_int64(stmt_, i, static_cast<int64_t>(value)); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string column_text(sqlite3_stmt* stmt, int i) {
  auto* text = sqlite3_column_text(stmt, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

CachedImage read_row(sqlite3_stmt* stmt) {
  CachedImage row;
  row.image_id = column_text(stmt, 0);
  row.last_accessed = sqlite3_column_double(stmt, 1);
  row.last_modified = sqlite3_column_double(stmt, 2);
  row.size = static_cast<uint64_t>(sqlite3_column_int64(stmt, 3));
  row.hits = static_cast<uint64_t>(sqlite3_column_int64(stmt, 4));
  row.checksum = column_text(stmt, 5);
  return row;
}

constexpr const char* kColumns = "image_id, last_accessed, last_modified, size, hits, checksum";

}  // namespace

Result<std::unique_ptr<CacheIndex>> CacheIndex::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = Error::internal("image cache index: cannot open " + path + ": " +
                              (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<CacheIndex> index(new CacheIndex(db));
  // The pruner and cleaner commands open the same file; a busy lock waits rather than fails.
  sqlite3_busy_timeout(db, 10000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                          "CREATE TABLE IF NOT EXISTS cached_images (image_id TEXT PRIMARY KEY, "
                          "last_accessed REAL DEFAULT 0.0, last_modified REAL DEFAULT 0.0, "
                          "size INTEGER DEFAULT 0, hits INTEGER DEFAULT 0, checksum TEXT)"}) {
    if (auto r = index->exec(sql); !r) return r.error();
  }
  return index;
}

CacheIndex::~CacheIndex() {
  sqlite3_close(db_);
}

Result<void> CacheIndex::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Error e = Error::internal(std::string("image cache index: ") + (message ? message : sql));
    sqlite3_free(message);
    return e;
  }
  return {};
}

Result<std::optional<CachedImage>> CacheIndex::find(const std::string& image_id) {
  std::lock_guard lock(mutex_);
  Statement st(
      db_, (std::string("SELECT ") + kColumns + " FROM cached_images WHERE image_id = ?").c_str());
  if (!st.ok()) return sqlite_error(db_, "find");
  st.bind(1, image_id);
  int rc = sqlite3_step(st.get());
  if (rc == SQLITE_DONE) return std::optional<CachedImage>();
  if (rc != SQLITE_ROW) return sqlite_error(db_, "find");
  return std::optional<CachedImage>(read_row(st.get()));
}

Result<void> CacheIndex::put(const CachedImage& row) {
  std::lock_guard lock(mutex_);
  Statement st(db_, (std::string("INSERT OR REPLACE INTO cached_images (") + kColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?)")
                        .c_str());
  if (!st.ok()) return sqlite_error(db_, "put");
  st.bind(1, row.image_id);
  st.bind(2, row.last_accessed);
  st.bind(3, row.last_modified);
  st.bind(4, row.size);
  st.bind(5, row.hits);
  st.bind(6, row.checksum);
  if (sqlite3_step(st.get()) != SQLITE_DONE) return sqlite_error(db_, "put");
  return {};
}

Result<void> CacheIndex::record_hit(const std::string& image_id, double now) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "UPDATE cached_images SET hits = hits + 1, last_accessed = ? WHERE image_id = ?");
  if (!st.ok()) return sqlite_error(db_, "record_hit");
  st.bind(1, now);
  st.bind(2, image_id);
  if (sqlite3_step(st.get()) != SQLITE_DONE) return sqlite_error(db_, "record_hit");
  return {};
}

Result<bool> CacheIndex::remove(const std::string& image_id) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "DELETE FROM cached_images WHERE image_id = ?");
  if (!st.ok()) return sqlite_error(db_, "remove");
  st.bind(1, image_id);
  if (sqlite3_step(st.get()) != SQLITE_DONE) return sqlite_error(db_, "remove");
  return sqlite3_changes(db_) > 0;
}

Result<std::vector<CachedImage>> CacheIndex::list() {
  std::lock_guard lock(mutex_);
  Statement st(db_, (std::string("SELECT ") + kColumns +
                     " FROM cached_images ORDER BY last_accessed, image_id")
                        .c_str());
  if (!st.ok()) return sqlite_error(db_, "list");
  std::vector<CachedImage> rows;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) rows.push_back(read_row(st.get()));
  if (rc != SQLITE_DONE) return sqlite_error(db_, "list");
  return rows;
}

}  // namespace glance::api
