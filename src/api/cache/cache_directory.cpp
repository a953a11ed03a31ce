#include "api/cache/cache_directory.h"

#include "common/directory_sync.h"
#include "common/image_id.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <utility>

namespace glance::api {

using common::Error;
using common::Result;
namespace fs = std::filesystem;

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) spdlog::warn("image cache: cannot remove {}: {}", path.string(), ec.message());
}

}  // namespace

CachedFile& CachedFile::operator=(CachedFile&& o) noexcept {
  if (this != &o) {
    if (fd >= 0) ::close(fd);
    fd = std::exchange(o.fd, -1);
    size = o.size;
  }
  return *this;
}

CachedFile::~CachedFile() {
  if (fd >= 0) ::close(fd);
}

Result<std::unique_ptr<CacheDirectory>> CacheDirectory::open(const CacheConfig& config,
                                                             bool recover) {
  fs::path dir = config.dir;
  for (const auto& sub : {dir, dir / "incomplete", dir / "queue"}) {
    std::error_code ec;
    fs::create_directories(sub, ec);
    if (ec)
      return Error::internal("image cache: cannot create " + sub.string() + ": " + ec.message());
  }
  auto index = CacheIndex::open(config.index_path());
  if (!index) return index.error();
  std::unique_ptr<CacheDirectory> cache(new CacheDirectory(dir, std::move(*index)));
  if (recover) cache->reconcile();
  return cache;
}

bool CacheDirectory::is_safe_id(const std::string& image_id) {
  return common::is_uuid_like(image_id) && image_id.find('/') == std::string::npos;
}

void CacheDirectory::reconcile() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(incomplete_dir(), ec)) remove_quietly(e.path());
  auto rows = index_->list();
  if (!rows) {
    spdlog::error("{}", rows.error().message());
    return;
  }
  std::set<std::string> indexed;
  for (const auto& row : *rows) {
    if (fs::is_regular_file(dir_ / row.image_id, ec))
      indexed.insert(row.image_id);
    else
      (void)index_->remove(row.image_id);
  }
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (!e.is_regular_file(ec)) continue;
    auto name = e.path().filename().string();
    if (is_safe_id(name) && !indexed.contains(name)) remove_quietly(e.path());
  }
}

std::optional<CachedFile> CacheDirectory::open_cached(const std::string& image_id,
                                                      const std::string& checksum) {
  auto row = index_->find(image_id);
  if (!row) {
    spdlog::error("{}", row.error().message());
    return std::nullopt;
  }
  if (!*row) return std::nullopt;
  if ((*row)->checksum != checksum) {
    spdlog::info("image cache: dropping {}, whose data changed", image_id);
    remove(image_id);
    return std::nullopt;
  }
  int fd = ::open((dir_ / image_id).c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != (*row)->size) {
    if (fd >= 0) ::close(fd);
    spdlog::warn("image cache: copy of {} missing or damaged, dropped", image_id);
    remove(image_id);
    return std::nullopt;
  }
  if (auto r = index_->record_hit(image_id, now_seconds()); !r)
    spdlog::warn("{}", r.error().message());
  return CachedFile(fd, (*row)->size);
}

bool CacheDirectory::is_cached(const std::string& image_id) {
  auto row = index_->find(image_id);
  return row && *row;
}

Result<int> CacheDirectory::begin_fill(const std::string& image_id) {
  // A download that missed may reach here after another one's fill was committed.
  if (is_cached(image_id)) return Error::conflict("image " + image_id + " is cached already");
  auto path = incomplete_dir() / image_id;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd >= 0) return fd;
  if (errno == EEXIST) return Error::conflict("image " + image_id + " is being cached");
  return Error::internal("image cache: cannot create " + path.string() + ": " + strerror(errno));
}

Result<void> CacheDirectory::commit_fill(const std::string& image_id, int fd, uint64_t size,
                                         const std::string& checksum) {
  const auto from = incomplete_dir() / image_id;
  const auto to = dir_ / image_id;
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(from.c_str(), to.c_str()) != 0 || !common::fsync_directory(dir_)) {
    Error e = Error::internal("image cache: cannot commit " + image_id + ": " + strerror(errno));
    remove_quietly(from);
    remove_quietly(to);
    return e;
  }
  const double now = now_seconds();
  if (auto r = index_->put({image_id, now, now, size, 0, checksum}); !r) {
    remove_quietly(to);
    return r.error();
  }
  dequeue(image_id);
  return {};
}

void CacheDirectory::discard_fill(const std::string& image_id, int fd) {
  if (fd >= 0) ::close(fd);
  remove_quietly(incomplete_dir() / image_id);
}

bool CacheDirectory::remove(const std::string& image_id) {
  // The row goes first: a copy without row is never served, and open() removes it.
  auto removed = index_->remove(image_id);
  if (!removed) spdlog::error("{}", removed.error().message());
  std::error_code ec;
  bool had_file = fs::remove(dir_ / image_id, ec);
  return (removed && *removed) || had_file;
}

size_t CacheDirectory::remove_all() {
  auto rows = index_->list();
  if (!rows) {
    spdlog::error("{}", rows.error().message());
    return 0;
  }
  size_t n = 0;
  for (const auto& row : *rows) n += remove(row.image_id) ? 1 : 0;
  return n;
}

Result<std::vector<CachedImage>> CacheDirectory::list() {
  return index_->list();
}

bool CacheDirectory::queue(const std::string& image_id) {
  std::error_code ec;
  if (is_cached(image_id) || fs::exists(incomplete_dir() / image_id, ec)) return false;
  int fd = ::open((queue_dir() / image_id).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::vector<std::string> CacheDirectory::queued() {
  std::vector<std::pair<fs::file_time_type, std::string>> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(queue_dir(), ec)) {
    auto name = e.path().filename().string();
    if (is_safe_id(name)) entries.emplace_back(e.last_write_time(ec), name);
  }
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> ids;
  for (auto& [_, id] : entries) ids.push_back(std::move(id));
  return ids;
}

bool CacheDirectory::dequeue(const std::string& image_id) {
  std::error_code ec;
  return fs::remove(queue_dir() / image_id, ec);
}

size_t CacheDirectory::dequeue_all() {
  size_t n = 0;
  for (const auto& id : queued()) n += dequeue(id) ? 1 : 0;
  return n;
}

}  // namespace glance::api
