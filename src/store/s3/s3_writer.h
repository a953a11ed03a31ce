#pragma once

#include "store/blocking_pool.h"
#include "store/s3/client.h"
#include "store/store.h"

#include <cstdint>
#include <memory>
#include <string>

namespace glance::store {

// A writer of object `key` into `bucket`, a key no other upload writes, through one of the
// three ways S3Store describes:
// one PUT when `declared` is below `large_size`, a streamed multipart upload of parts of at
// least `chunk_size` bytes when it is not, and one buffered part at a time when `declared` is 0
// (size unknown). commit() answers `uri` as the location. MD5 and SHA-256 are computed on
// `pool` (PooledDigests). `client` and `pool` must outlive the writer; abort() removes what was
// written. Errors as S3Store documents them.
std::unique_ptr<ImageWriter> make_s3_writer(s3::Client& client, s3::Bucket bucket, std::string key,
                                            std::string uri, uint64_t declared, uint64_t large_size,
                                            uint64_t chunk_size, BlockingPool& pool);

}  // namespace glance::store
