#pragma once

#include "store/blocking_pool.h"
#include "store/rbd/rbd_image.h"
#include "store/store.h"

#include <cstdint>
#include <memory>

namespace glance::store {

// Streams `length` bytes from `offset` of an open (read-only) RBD image as a response body:
// chunks of `chunk` bytes are read on `pool`, the next one while the current one is sent, so a
// download holds two chunks whatever the image's size. The image is closed on the pool when
// the body is destroyed. `pool` must outlive the reader and its body.
std::unique_ptr<ImageReader> make_rbd_reader(std::unique_ptr<RbdImage> image, uint64_t offset,
                                             uint64_t length, size_t chunk, BlockingPool& pool);

}  // namespace glance::store
