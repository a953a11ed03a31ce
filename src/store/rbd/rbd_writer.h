#pragma once

#include "store/blocking_pool.h"
#include "store/rbd/pending_removals.h"
#include "store/rbd/rbd_image.h"
#include "store/store.h"

#include <cstdint>
#include <memory>
#include <string>

namespace glance::store {

// What an rbd writer needs besides its image.
struct RbdUpload {
  std::string id;          // the image id: the name the image takes at commit
  uint64_t declared = 0;   // 0: unknown
  uint64_t grow_step = 0;  // the first growth of an image of unknown size (its object size)
};

// Streams one image into the RBD image `image` (named "<id>-<tag>", created empty or at the
// declared size). Each write() hands the caller's bytes to one rbd write on `pool` and returns
// once the previous write finished, so one write is in flight while the caller receives the
// next chunk; nothing is copied. An image of unknown size grows ahead of the writes by a step
// that doubles up to 8 GiB. commit() trims the image to the bytes written, creates and
// protects the snapshot "snap", closes the image and renames it to "<id>": conflict when
// "<id>" exists by then. abort(), a failed commit() and the destructor remove the image; the
// destructor does so on the pool without waiting. MD5 and SHA-256 run on `pool` too
// (PooledDigests). `pool` must outlive the writer.
// A removal that fails because Ceph is unreachable is left to `removals`.
std::unique_ptr<ImageWriter> make_rbd_writer(std::unique_ptr<RbdImage> image,
                                             std::shared_ptr<IoCtx> io, RbdUpload upload,
                                             BlockingPool& pool,
                                             std::shared_ptr<PendingRemovals> removals);

}  // namespace glance::store
