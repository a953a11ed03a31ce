#pragma once

#include "store/blocking_pool.h"
#include "store/rbd/pending_removals.h"
#include "store/rbd/rbd_image.h"
#include "store/store.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace glance::store {

// What an rbd writer needs besides its image.
struct RbdUpload {
  std::string id;          // the image id: the name the image takes at commit
  uint64_t declared = 0;   // 0: unknown
  uint64_t grow_step = 0;  // the first growth of an image of unknown size (its object size)
  // How long one wait for Ceph may last (the store's operation timeout); 0: no limit.
  std::chrono::seconds op_timeout{0};
};

// Streams one image into the RBD image `image` (named "<id>-<tag>", created empty or at the
// declared size). Each write() copies the caller's bytes into an asynchronous rbd write
// (rbd_aio_write), started on `pool`, and returns once the previous chunk is copied and there
// is room: at most 4 writes are in flight, so an upload holds at most 4 copies of its chunks
// (4 MiB with glance-api's 1 MiB chunks) besides its own buffers. The caller's chunk must stay
// valid until the next write(), commit() or abort() completes or the destructor returns (it is
// copied and hashed meanwhile). The first write Ceph fails fails the next write() or
// commit(); so does a wait for room, or for the last writes, that lasts longer than
// `op_timeout` (unavailable: librbd may hold a write back without limit, as while it cannot
// re-acquire the image's exclusive lock from a stopped OSD). An image of unknown size grows
// ahead of the writes by a step that doubles up to 8 GiB, once the writes in flight are done.
// commit() waits for every write, trims the image to the bytes written, creates and protects
// the snapshot "snap", closes the image and renames it to "<id>": conflict when "<id>" exists
// by then. abort() and a failed commit() close the image and remove it; a close that does not
// finish within `op_timeout` (it waits for the writes in flight) leaves the removal to
// `removals` once librbd completes it, and so does the destructor, without waiting at all: no
// thread waits on Ceph for an upload that has ended. MD5 and SHA-256 run on `pool` too
// (PooledDigests). `pool` must outlive the writer.
// A removal that fails because Ceph is unreachable is left to `removals` as well.
std::unique_ptr<ImageWriter> make_rbd_writer(std::unique_ptr<RbdImage> image,
                                             std::shared_ptr<IoCtx> io, RbdUpload upload,
                                             BlockingPool& pool,
                                             std::shared_ptr<PendingRemovals> removals);

}  // namespace glance::store
