#include "store/rbd/rbd_writer.h"

#include "store/pooled_digests.h"
#include "store/rbd/rbd_location.h"
#include "store/rbd/rbd_write_window.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {

constexpr uint64_t kMaxGrowStep = uint64_t{8} << 30;  // upstream's cap on the growth step
constexpr const char* kSnapshot = "snap";
// Writes in flight per upload. One write at a time leaves the OSD idle for a round trip per
// chunk; `rbd import` keeps up to 10 object-sized writes in flight. Four of glance-api's 1 MiB
// chunks hide the round trip at 4 MiB of copies per upload, twice the two buffers the upload
// already holds; eight measured no faster on a single-OSD cluster and held more memory.
constexpr size_t kWindow = 4;

Error size_mismatch(uint64_t declared, uint64_t received) {
  return Error::bad_request("Supplied size (" + std::to_string(declared) +
                            ") and size generated from uploaded image (" +
                            std::to_string(received) + ") did not match.");
}

// See make_rbd_writer() in rbd_writer.h for how an image goes in.
class RbdWriter final : public ImageWriter {
 public:
  RbdWriter(std::unique_ptr<RbdImage> image, std::shared_ptr<IoCtx> io, RbdUpload upload,
            BlockingPool& pool, std::shared_ptr<PendingRemovals> removals)
      : image_(std::move(image)),
        io_(std::move(io)),
        name_(image_->name()),
        upload_(std::move(upload)),
        pool_(pool),
        removals_(std::move(removals)),
        image_size_(upload_.declared),
        step_(std::max<uint64_t>(upload_.grow_step, 1)),
        digests_(pool) {}

  ~RbdWriter() override {
    io_job_.wait_blocking();
    if (state_ == State::finished || removed_) return;
    // Nobody called abort(): the image closes once its writes end (they own their bytes and
    // report to the window alone) and is removed after that, without anyone waiting.
    start_close();
    hand_over_removal();
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override { co_await discard(); }

 private:
  enum class State { writing, failed, finished };

  // On the pool: grows the image when the write would pass its end, then copies the bytes
  // and starts their write.
  Result<void> submit(std::span<const char> data, uint64_t offset);
  // The first failed write's error, if any.
  Result<void> writes_outcome() const;
  // Waits for the operations in flight, at most the operation timeout: false when they did
  // not end by then.
  net::awaitable<bool> drain() { co_return co_await window_.until(0, upload_.op_timeout); }
  Error stalled(const std::string& doing) const {
    return Error::unavailable(doing + " " + what() + ": Ceph completed nothing in " +
                              std::to_string(upload_.op_timeout.count()) + " s");
  }
  // On the pool: trims the image to the bytes received, then creates and protects "snap".
  Result<void> snapshot();
  // Closes the image (after its writes), waiting at most the operation timeout.
  net::awaitable<Result<void>> close_image();
  // On the pool: renames the closed image to "<id>".
  Result<void> rename();
  // Starts closing the image, unless that has started.
  void start_close() {
    if (image_) window_.close(image_->release());
    image_.reset();
  }
  // Removes the image once its close and writes end, whenever that is.
  void hand_over_removal() {
    window_.when_drained([removals = removals_, io = io_, name = name_] {
      PendingRemovals::remove_later(removals, io, name);
    });
  }
  net::awaitable<void> discard();
  Error fail(Error e) {
    state_ = State::failed;
    return e;
  }
  std::string what() const { return "RBD image " + io_->pool() + "/" + name_; }

  std::unique_ptr<RbdImage> image_;  // null once its close has started
  std::shared_ptr<IoCtx> io_;
  std::string name_;  // "<id>-<tag>" until commit renames it
  RbdUpload upload_;
  BlockingPool& pool_;
  std::shared_ptr<PendingRemovals> removals_;
  State state_ = State::writing;
  bool removed_ = false;
  uint64_t image_size_;  // the RBD image's size; touched by the write job only while it runs
  uint64_t step_;        // the next growth, doubled before each use
  uint64_t received_ = 0;
  PooledDigests digests_;   // its destructor waits for the hashing of the caller's last chunk
  RbdWriteWindow window_;   // the writes in flight, then the close
  Result<void> submitted_;  // the last submit job's outcome
  // Declared last, so destroyed first: its job uses the members above.
  PoolJob io_job_;
};

Result<void> RbdWriter::submit(std::span<const char> data, uint64_t offset) {
  const uint64_t end = offset + data.size();
  // write() drained the window first: librbd cuts a write that passes the image's end, and a
  // resize that overlapped writes in flight would wait for them anyway.
  if (end > image_size_) {
    step_ = std::min(step_ * 2, kMaxGrowStep);
    const uint64_t grown = std::max(image_size_ + step_, end);
    if (int r = rbd_resize(image_->handle(), grown); r < 0)
      return rados_error(r, "growing " + what() + " to " + std::to_string(grown) + " bytes");
    image_size_ = grown;
  }
  window_.submit(image_->handle(), data, offset);
  return Result<void>();
}

Result<void> RbdWriter::writes_outcome() const {
  if (int r = window_.error(); r < 0) return rados_error(r, "writing to " + what());
  return Result<void>();
}

Task<void> RbdWriter::write(std::span<const char> data) {
  if (state_ != State::writing) co_return Error::internal("write after the upload ended");
  if (upload_.declared > 0 && received_ + data.size() > upload_.declared)
    co_return fail(size_mismatch(upload_.declared, received_ + data.size()));
  co_await digests_.add(data);
  // The caller's previous chunk may be reused once this returns: its job copied it.
  co_await io_job_.wait();
  if (!submitted_) co_return fail(submitted_.error());
  if (data.empty()) co_return Result<void>();
  const uint64_t offset = received_;
  received_ += data.size();
  // Room for this write; all writes done before a growth (see submit()).
  if (!co_await window_.until(offset + data.size() > image_size_ ? 0 : kWindow - 1,
                              upload_.op_timeout))
    co_return fail(stalled("writing to"));
  if (auto ok = writes_outcome(); !ok) co_return fail(ok.error());
  // Submitted on the pool: the copy is a millisecond of CPU, a growth blocks, and
  // rbd_aio_write itself may block (librbd's queue or the objecter's throttle is full, or
  // rbd_non_blocking_aio is off in the operator's ceph.conf).
  io_job_.start(pool_, [this, data, offset] { submitted_ = submit(data, offset); });
  co_return Result<void>();
}

Result<void> RbdWriter::snapshot() {
  rbd_image_t image = image_->handle();
  int r = 0;
  if (image_size_ != received_ && (r = rbd_resize(image, received_)) < 0)
    return rados_error(r, "trimming " + what());
  if ((r = rbd_snap_create(image, kSnapshot)) < 0)
    return rados_error(r, "creating the snapshot of " + what());
  if ((r = rbd_snap_protect(image, kSnapshot)) < 0)
    return rados_error(r, "protecting the snapshot of " + what());
  return Result<void>();
}

net::awaitable<Result<void>> RbdWriter::close_image() {
  start_close();
  if (!co_await drain()) co_return stalled("closing");
  if (int r = window_.error(); r < 0) co_return rados_error(r, "closing " + what());
  co_return Result<void>();
}

Result<void> RbdWriter::rename() {
  int r = rbd_rename(io_->handle(), name_.c_str(), upload_.id.c_str());
  if (r == -EEXIST) return Error::conflict("Attempt to upload duplicate image: " + upload_.id);
  if (r < 0) return rados_error(r, "renaming " + what() + " to " + upload_.id);
  name_ = upload_.id;
  return Result<void>();
}

Task<StoredImage> RbdWriter::commit() {
  if (state_ != State::writing) co_return Error::internal("commit after the upload ended");
  co_await io_job_.wait();
  Result<void> sealed = submitted_;
  if (sealed && !co_await drain()) sealed = stalled("writing to");
  if (sealed) sealed = writes_outcome();
  if (sealed && upload_.declared > 0 && received_ != upload_.declared)
    sealed = fail(size_mismatch(upload_.declared, received_));
  auto digests = co_await digests_.finish();
  if (sealed) sealed = co_await pool_.run([this] { return snapshot(); });
  // Flushes; rename wants the image closed.
  if (sealed) sealed = co_await close_image();
  if (sealed) sealed = co_await pool_.run([this] { return rename(); });
  if (!sealed) {
    fail(sealed.error());
    // After a failed commit nothing of this upload is left.
    co_await discard();
    co_return sealed.error();
  }
  state_ = State::finished;
  RbdLocation where{io_->cluster().fsid(), io_->pool(), upload_.id, kSnapshot};
  co_return StoredImage{Location{where.uri()}, received_, std::move(digests.md5),
                        std::move(digests.sha256)};
}

net::awaitable<void> RbdWriter::discard() {
  // The pool may still be hashing or writing the caller's last chunk.
  co_await digests_.wait();
  co_await io_job_.wait();
  if (state_ == State::finished || removed_) co_return;
  state_ = State::failed;
  removed_ = true;
  start_close();
  if (co_await drain()) {
    co_await pool_.run([this] {
      PendingRemovals::remove_or_queue(removals_, io_, name_);
      return true;
    });
    co_return;
  }
  spdlog::warn(
      "{} did not close within {} s (Ceph holds its operations); it is removed once "
      "they end",
      what(), upload_.op_timeout.count());
  hand_over_removal();
}

}  // namespace

std::unique_ptr<ImageWriter> make_rbd_writer(std::unique_ptr<RbdImage> image,
                                             std::shared_ptr<IoCtx> io, RbdUpload upload,
                                             BlockingPool& pool,
                                             std::shared_ptr<PendingRemovals> removals) {
  return std::make_unique<RbdWriter>(std::move(image), std::move(io), std::move(upload), pool,
                                     std::move(removals));
}

}  // namespace glance::store
