#include "store/file/file_store.h"

#include "common/directory_sync.h"
#include "store/blocking_pool.h"
#include "store/pooled_digests.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kFileScheme = "file://";
constexpr std::string_view kFilesystemScheme = "filesystem://";

// Maps a failed write the way glance_store's filesystem driver does.
Error write_error(int err, const fs::path& path) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return Error::storage_full("Image storage media is full: " + std::string(strerror(err)));
  if (err == EACCES || err == EPERM || err == EROFS)
    return Error::unavailable("Insufficient permissions on image storage media: " +
                              std::string(strerror(err)));
  return Error::internal("Error writing image data to " + path.string() + ": " + strerror(err));
}

// Writes in stages that overlap: while the caller receives chunk N+1, one job on the daemon's
// BlockingPool computes the MD5 of chunk N, another its SHA-256, and a third writes it to disk
// (on one core each of MD5 and the page-cache copy costs about as much as receiving; SHA-256 in
// the MD5 job would cut that job's rate by a third even with SHA instructions). Every wait for
// those jobs, and the fsync, link and unlink at the end, are awaited, so a slow or hung disk
// holds up its own uploads and never an I/O thread. A failed disk write surfaces at the next
// write() or at commit().
class FileWriter final : public ImageWriter {
 public:
  FileWriter(BlockingPool& pool, int fd, fs::path temp, fs::path final_path)
      : pool_(pool),
        fd_(fd),
        temp_(std::move(temp)),
        final_(std::move(final_path)),
        digests_(pool) {}
  // Reached without commit() or abort() only when the upload's coroutine is torn down: the
  // PoolJob members then wait for the chunk in flight before the caller's buffers go.
  ~FileWriter() override {
    disk_.wait_blocking();
    discard();
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override {
    if (fd_ < 0) co_return Error::internal("write after the image data was finished");
    if (auto r = co_await settle(); !r) co_return r;
    co_await digests_.add(data);
    disk_.start(pool_, [this, data] { disk_errno_ = write_all(data); });
    size_ += data.size();
    co_return Result<void>();
  }
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override {
    co_await settle();
    co_await digests_.wait();
    co_await pool_.run([this] {
      discard();
      return true;
    });
  }

 private:
  // Runs on the pool: fsync, then link into place. Errors leave nothing behind.
  Result<void> publish() {
    if (::fsync(fd_) != 0) return fail(write_error(errno, temp_));
    ::close(std::exchange(fd_, -1));
    // link(2) refuses to replace an existing file, so a concurrent upload that committed
    // first keeps its data and this one reports the duplicate.
    if (::link(temp_.c_str(), final_.c_str()) != 0) {
      int err = errno;
      discard();
      if (err == EEXIST)
        return Error::conflict("Attempt to upload duplicate image: " + final_.filename().string());
      return write_error(err, final_);
    }
    ::unlink(temp_.c_str());
    temp_.clear();
    common::fsync_directory(final_.parent_path());
    return {};
  }

  // Runs on the pool. Returns 0 or the errno of the failed write.
  int write_all(std::span<const char> data) {
    const off_t start = static_cast<off_t>(written_);
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      data = data.subspan(static_cast<size_t>(n));
      written_ += static_cast<uint64_t>(n);
    }
    // Start writeback now, so that the fsync at commit finds little left to do and the disk
    // works while the network does.
    ::sync_file_range(fd_, start, static_cast<off_t>(written_) - start, SYNC_FILE_RANGE_WRITE);
    return 0;
  }

  // Awaits the disk job; reports a failed disk write (and drops the data) once.
  Task<void> settle() {
    co_await disk_.wait();
    if (disk_errno_ == 0) co_return Result<void>();
    int err = std::exchange(disk_errno_, 0);
    co_return co_await pool_.run(
        [this, err]() -> Result<void> { return fail(write_error(err, temp_)); });
  }

  Error fail(Error e) {
    discard();
    return e;
  }

  void discard() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
  }

  BlockingPool& pool_;
  int fd_;
  fs::path temp_;
  fs::path final_;
  uint64_t size_ = 0;
  uint64_t written_ = 0;  // by the disk job only
  int disk_errno_ = 0;    // written by the disk job, read after disk_.wait()
  PooledDigests digests_;
  PoolJob disk_;  // last: destroyed first, so its job never outlives the members it uses
};

Task<StoredImage> FileWriter::commit() {
  if (fd_ < 0) co_return Error::internal("commit after the image data was finished");
  if (auto r = co_await settle(); !r) co_return r.error();
  auto published = co_await pool_.run([this] { return publish(); });
  if (!published) {
    co_await digests_.wait();
    co_return published.error();
  }
  auto digests = co_await digests_.finish();
  co_return StoredImage{Location{std::string(kFileScheme) + final_.string()}, size_,
                        std::move(digests.md5), std::move(digests.sha256)};
}

class FileReader final : public ImageReader {
 public:
  FileReader(int fd, uint64_t offset, uint64_t length) : range_(fd, offset, length) {}

  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return range_.length; }
  ImageBody take_body() override { return std::move(range_); }

 private:
  common::http::FileRange range_;
};

constexpr std::string_view kPartialSuffix = ".partial";

// ".<id>.<pid>-<n>.partial": a writer's temporary name, unique per process and writer.
fs::path partial_name(const std::string& id, uint64_t counter) {
  return "." + id + "." + std::to_string(::getpid()) + "-" + std::to_string(counter) +
         std::string(kPartialSuffix);
}

struct PartialName {
  std::string image_id;
  long writer_pid = 0;
};

std::optional<PartialName> parse_partial_name(std::string_view name) {
  if (name.size() <= 1 + kPartialSuffix.size() || !name.starts_with('.') ||
      !name.ends_with(kPartialSuffix))
    return std::nullopt;
  name.remove_prefix(1);
  name.remove_suffix(kPartialSuffix.size());
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  PartialName parsed{std::string(name.substr(0, dot))};
  auto writer = name.substr(dot + 1);
  std::from_chars(writer.data(), writer.data() + writer.size(), parsed.writer_pid);
  return parsed;
}

// Image ids become file names: refuse anything that could leave the directory.
bool is_safe_name(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id.front() != '.' &&
         id.find('\0') == std::string::npos;
}

}  // namespace

Result<std::unique_ptr<FileStore>> FileStore::open_dir(fs::path datadir, BlockingPool& pool) {
  std::error_code ec;
  fs::create_directories(datadir, ec);
  if (ec)
    return Error::unavailable("cannot create filesystem_store_datadir " + datadir.string() + ": " +
                              ec.message());
  if (::access(datadir.c_str(), W_OK | X_OK) != 0)
    return Error::unavailable("filesystem_store_datadir " + datadir.string() +
                              " is not writable: " + strerror(errno));
  auto absolute = fs::absolute(datadir, ec);
  return std::unique_ptr<FileStore>(
      new FileStore(ec ? datadir : absolute.lexically_normal(), pool));
}

// open(2) with O_CREAT and access(2) touch the directory only; a disk too slow for them would
// fail the uploads anyway, but they still run on the pool so an I/O thread never waits on it.
Task<std::unique_ptr<ImageWriter>> FileStore::begin_add(const std::string& id, uint64_t) {
  co_return co_await pool_.run([this, id] { return begin_add_now(id); });
}

Result<std::unique_ptr<ImageWriter>> FileStore::begin_add_now(const std::string& id) {
  if (!is_safe_name(id)) return Error::bad_request("Invalid image id for the file store: " + id);
  fs::path final_path = datadir_ / id;
  if (::access(final_path.c_str(), F_OK) == 0)
    return Error::conflict("Attempt to upload duplicate image: " + id);
  // A unique temporary name per writer: concurrent uploads of one id race only at commit.
  fs::path temp = datadir_ / partial_name(id, temp_counter_++);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return write_error(errno, temp);
  return std::unique_ptr<ImageWriter>(
      new FileWriter(pool_, fd, std::move(temp), std::move(final_path)));
}

std::vector<PartialFile> list_partial_files(const fs::path& datadir) {
  std::vector<PartialFile> found;
  std::error_code ec;
  for (fs::directory_iterator it(datadir, ec), end; !ec && it != end; it.increment(ec)) {
    auto parsed = parse_partial_name(it->path().filename().string());
    if (!parsed) continue;
    std::error_code time_ec;
    auto modified = it->last_write_time(time_ec);
    if (time_ec) continue;  // removed meanwhile
    found.push_back({it->path(), std::move(parsed->image_id), parsed->writer_pid, modified});
  }
  return found;
}

Location file_store_location(const fs::path& datadir, const std::string& image_id) {
  return Location{std::string(kFileScheme) + (datadir / image_id).string()};
}

Result<fs::path> FileStore::path_of(const Location& where) const {
  std::string_view uri = where.uri;
  if (uri.starts_with(kFileScheme))
    uri.remove_prefix(kFileScheme.size());
  else if (uri.starts_with(kFilesystemScheme))
    uri.remove_prefix(kFilesystemScheme.size());
  else
    return Error::bad_request("Invalid location: not a file store URI");
  if (uri.empty() || uri.front() != '/')
    return Error::bad_request("Invalid location: a file store URI needs an absolute path");
  return fs::path(std::string(uri));
}

// open(2) and stat(2) of one file in a local directory take microseconds; they run on the
// calling I/O thread.
Task<std::unique_ptr<ImageReader>> FileStore::open(const Location& where,
                                                   const ReadOptions& options) {
  auto path = path_of(where);
  if (!path) co_return path.error();
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) co_return Error::not_found("Image file " + path->string() + " not found");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    co_return Error::internal("cannot stat " + path->string());
  }
  auto size = static_cast<uint64_t>(st.st_size);
  uint64_t offset = 0;
  uint64_t length = size;
  if (options.span) {
    offset = std::min(options.span->offset, size);
    length = std::min(options.span->length, size - offset);
  }
  co_return std::unique_ptr<ImageReader>(new FileReader(fd, offset, length));
}

Task<uint64_t> FileStore::size(const Location& where, const ReadOptions&) {
  auto path = path_of(where);
  if (!path) co_return path.error();
  struct stat st {};
  if (::stat(path->c_str(), &st) != 0)
    co_return Error::not_found("Image file " + path->string() + " not found");
  co_return static_cast<uint64_t>(st.st_size);
}

// An unlink(2) of a large file frees its blocks and can take long on a busy disk: it runs on
// the pool.
Task<void> FileStore::remove(const Location& where) {
  auto path = path_of(where);
  if (!path) co_return path.error();
  co_return co_await pool_.run([path = *path]() -> Result<void> {
    if (::unlink(path.c_str()) == 0) return {};
    if (errno == ENOENT) return Error::not_found("Image file " + path.string() + " not found");
    return Error::forbidden("You cannot delete file " + path.string());
  });
}

// Unlinks run on the pool, as in remove().
Task<void> FileStore::remove_leftovers(const std::string& id, const std::optional<Location>& keep) {
  if (!is_safe_name(id)) co_return Error::bad_request("Invalid image id for the file store: " + id);
  std::optional<fs::path> kept;
  if (keep) {
    auto path = path_of(*keep);
    if (!path) co_return path.error();
    kept = path->lexically_normal();
  }
  co_return co_await pool_.run([this, id, kept]() -> Result<void> {
    const fs::path committed = datadir_ / id;
    std::error_code ec;
    if (committed != kept && !fs::remove(committed, ec) && ec)
      spdlog::error("cannot remove the leftover file of image {}: {}", id, ec.message());
    for (const auto& partial : list_partial_files(datadir_))
      if (partial.image_id == id && !fs::remove(partial.path, ec) && ec)
        spdlog::error("cannot remove the partial file {}: {}", partial.path.filename().string(),
                      ec.message());
    return {};
  });
}

}  // namespace glance::store
