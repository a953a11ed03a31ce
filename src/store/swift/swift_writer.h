#pragma once

#include "store/blocking_pool.h"
#include "store/store.h"
#include "store/swift/swift_store.h"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>

namespace glance::store {

// Streams one image into Swift under `where`'s object name, "<id>-<tag>" (upload_name.h), which
// no other upload writes. An image of a known size below large_object_size is one PUT of that
// object with Content-Length. Any other goes up as segments "<id>-<tag>-00001", "-00002", ...
// of large_object_chunk_size, each one PUT whose body is what the write() calls that fill it
// pass (Content-Length when the image size is known, chunked otherwise); commit() then writes
// the zero-byte DLO manifest "<id>-<tag>" with X-Object-Manifest "<container>/<id>-<tag>-".
// Only one PUT is open at a time and nothing is buffered.
//
// Upstream names the object (or manifest) "<id>" and the segments "<id>-00001". The api lets
// two uploads of one image race until the registry activates one; with shared names the loser
// would overwrite, then delete, the winner's data, and a crashed upload's segments would join a
// later manifest. With names of their own both uploads commit, the registry's compare-and-set
// picks the winner, and the loser removes only its own objects.
//
// `where` names the container and object of the image. MD5 and SHA-256 are computed on `pool`
// (PooledDigests), which must outlive the writer. A writer destroyed without commit() or
// abort() deletes what it wrote in a detached coroutine on `executor`, which holds `backend`
// and must outlive the writer. Errors as SwiftStore documents them.
std::unique_ptr<ImageWriter> make_swift_writer(std::shared_ptr<SwiftStore::Backend> backend,
                                               SwiftLocation where, uint64_t declared,
                                               BlockingPool& pool,
                                               boost::asio::any_io_executor executor);

}  // namespace glance::store
