#pragma once

#include "api/registry_client.h"
#include "common/http/body.h"
#include "common/image.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>

namespace glance::api {

// What an upload must respect beyond the image's own declared size and checksum.
struct UploadLimits {
  uint64_t image_size_cap = 1099511627776ULL;
  uint64_t user_storage_quota = 0;  // bytes per owner; 0 = unlimited
  // How often a saving upload renews its lease (upload_lease.h); 0 = never.
  std::chrono::seconds lease_interval{0};
};

// Streams a request body into `store` as the data of `image`, which must be queued with both
// formats set: marks it saving, writes the body in chunks while
// hashing, checks the byte count against the cap and the declared size and checksum, then
// activates it with a compare-and-set from saving, recording the MD5 as checksum and the
// SHA-256 as os_hash_algo/os_hash_value. Never holds the image in memory.
//
// Every failure after the image turned saving goes through one path, abandon_upload: the
// partial or finished data is removed and the image is marked killed (compare-and-set, so an
// image deleted meanwhile stays deleted). Errors: bad_request (client gone, size or checksum
// mismatch), payload_too_large (over the cap), storage_full, unavailable (store permission or
// registry down), conflict (another upload won; the image is not killed),
// precondition_failed (the image was deleted during the upload).
// An activation whose outcome is unknown (registry timeout, reset, 5xx) is never undone by
// deleting the data: see settle_unknown_activation (activation_outcome.h).
boost::asio::awaitable<common::Result<common::Image>> upload_image_data(
    RegistryClient& registry, store::Store& store, const Caller& caller, const common::Image& image,
    common::http::BodyReader& body, const UploadLimits& limits);

}  // namespace glance::api
