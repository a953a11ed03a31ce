#include "store/rbd/rbd_writer.h"

#include "store/pooled_digests.h"
#include "store/rbd/rbd_location.h"

#include <algorithm>
#include <cerrno>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {

constexpr uint64_t kMaxGrowStep = uint64_t{8} << 30;  // upstream's cap on the growth step
constexpr const char* kSnapshot = "snap";

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
    // Nobody called abort(): close and remove on the pool, without waiting.
    std::shared_ptr<RbdImage> image(std::move(image_));
    pool_.post([image, io = io_, name = name_, removals = removals_]() mutable {
      image.reset();
      PendingRemovals::remove_or_queue(removals, std::move(io), name);
    });
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override { co_await discard(); }

 private:
  enum class State { writing, failed, finished };

  // On the pool: grows the image when the write would pass its end, then writes.
  Result<void> write_at(std::span<const char> data, uint64_t offset);
  // On the pool: trims, snapshots, protects, closes and renames the image.
  Result<void> seal();
  net::awaitable<void> discard();
  Error fail(Error e) {
    state_ = State::failed;
    return e;
  }
  std::string what() const { return "RBD image " + io_->pool() + "/" + name_; }

  std::unique_ptr<RbdImage> image_;
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
  PooledDigests digests_;  // its destructor waits for the hashing of the caller's last chunk
  Result<void> written_;   // the last write job's outcome
  // Declared last, so destroyed first: its job uses the members above.
  PoolJob io_job_;
};

Result<void> RbdWriter::write_at(std::span<const char> data, uint64_t offset) {
  const uint64_t end = offset + data.size();
  if (end > image_size_) {
    step_ = std::min(step_ * 2, kMaxGrowStep);
    const uint64_t grown = std::max(image_size_ + step_, end);
    if (int r = rbd_resize(image_->handle(), grown); r < 0)
      return rados_error(r, "growing " + what() + " to " + std::to_string(grown) + " bytes");
    image_size_ = grown;
  }
  const ssize_t r = rbd_write(image_->handle(), offset, data.size(), data.data());
  if (r < 0) return rados_error(static_cast<int>(r), "writing to " + what());
  if (static_cast<size_t>(r) != data.size())
    return Error::internal("short write to " + what() + ": " + std::to_string(r) + " of " +
                           std::to_string(data.size()) + " bytes");
  return Result<void>();
}

Task<void> RbdWriter::write(std::span<const char> data) {
  if (state_ != State::writing) co_return Error::internal("write after the upload ended");
  if (upload_.declared > 0 && received_ + data.size() > upload_.declared)
    co_return fail(size_mismatch(upload_.declared, received_ + data.size()));
  co_await digests_.add(data);
  // The caller's previous chunk may be reused once this returns: its write must be done.
  co_await io_job_.wait();
  if (!written_) co_return fail(written_.error());
  if (data.empty()) co_return Result<void>();
  const uint64_t offset = received_;
  received_ += data.size();
  io_job_.start(pool_, [this, data, offset] { written_ = write_at(data, offset); });
  co_return Result<void>();
}

Result<void> RbdWriter::seal() {
  rbd_image_t image = image_->handle();
  int r = 0;
  if (image_size_ != received_ && (r = rbd_resize(image, received_)) < 0)
    return rados_error(r, "trimming " + what());
  if ((r = rbd_snap_create(image, kSnapshot)) < 0)
    return rados_error(r, "creating the snapshot of " + what());
  if ((r = rbd_snap_protect(image, kSnapshot)) < 0)
    return rados_error(r, "protecting the snapshot of " + what());
  // Flushes the writes; rename wants the image closed.
  image_.reset();
  r = rbd_rename(io_->handle(), name_.c_str(), upload_.id.c_str());
  if (r == -EEXIST) return Error::conflict("Attempt to upload duplicate image: " + upload_.id);
  if (r < 0) return rados_error(r, "renaming " + what() + " to " + upload_.id);
  name_ = upload_.id;
  return Result<void>();
}

Task<StoredImage> RbdWriter::commit() {
  if (state_ != State::writing) co_return Error::internal("commit after the upload ended");
  co_await io_job_.wait();
  Result<void> sealed = written_;
  if (sealed && upload_.declared > 0 && received_ != upload_.declared)
    sealed = fail(size_mismatch(upload_.declared, received_));
  auto digests = co_await digests_.finish();
  if (sealed) sealed = co_await pool_.run([this] { return seal(); });
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
  co_await pool_.run([this] {
    image_.reset();
    PendingRemovals::remove_or_queue(removals_, io_, name_);
    return true;
  });
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
