#pragma once

#include "common/error.h"
#include "store/blocking_pool.h"
#include "store/rbd/rados_cluster.h"

#include <rbd/librbd.h>

#include <memory>
#include <string>
#include <utility>

namespace glance::store {

// An open RBD image; keeps its I/O context alive and closes the image when destroyed. Every
// call blocks: use it on a BlockingPool thread only, and destroy it there too.
class RbdImage {
 public:
  // Opens `name` for writing, or read-only at `snapshot` when one is given (the head when
  // empty). not_found when the image or snapshot does not exist.
  static common::Result<std::unique_ptr<RbdImage>> open(std::shared_ptr<IoCtx> io,
                                                        const std::string& name,
                                                        const std::string& snapshot,
                                                        bool read_only);
  ~RbdImage() {
    if (image_) rbd_close(image_);
  }
  RbdImage(const RbdImage&) = delete;
  RbdImage& operator=(const RbdImage&) = delete;

  rbd_image_t handle() const { return image_; }
  // Gives up the open handle, for a caller that closes it itself (rbd_aio_close).
  rbd_image_t release() { return std::exchange(image_, nullptr); }
  const std::string& name() const { return name_; }
  common::Result<uint64_t> size() const;

 private:
  RbdImage(std::shared_ptr<IoCtx> io, rbd_image_t image, std::string name)
      : io_(std::move(io)), image_(image), name_(std::move(name)) {}
  std::shared_ptr<IoCtx> io_;
  rbd_image_t image_;
  std::string name_;
};

// Closes `image` on `pool` without waiting (closing flushes, which may block).
void close_on_pool(BlockingPool& pool, std::unique_ptr<RbdImage> image);

// Removes the image `name` as upstream's delete does: unprotects and removes `snapshot` (when
// given; already unprotected or gone is fine), then the image; an image that still has other
// snapshots goes to the RBD trash instead. conflict when a clone of the snapshot exists or the
// image is open elsewhere (nothing is changed then), not_found when there is no such image.
// An exclusive lock that this very client left on the image (it closed the image while Ceph
// was away, and the unlock never arrived) is broken first once its watch is gone, since
// librbd will not break a lock whose holder is itself; Ceph drops such a watch about 30 s
// after it comes back, and until then the removal answers conflict.
common::Result<void> remove_image(const std::shared_ptr<IoCtx>& io, const std::string& name,
                                  const std::string& snapshot);

// Removes the image `name` with every snapshot it has (unprotecting each): for what an upload
// left behind. Errors as remove_image.
common::Result<void> remove_image_and_snapshots(const std::shared_ptr<IoCtx>& io,
                                                const std::string& name);

// The names of the images in `io`'s pool.
common::Result<std::vector<std::string>> list_images(IoCtx& io);

}  // namespace glance::store
