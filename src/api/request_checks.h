#pragma once

#include "api/image_headers.h"
#include "common/error.h"
#include "common/http/request.h"
#include "common/image.h"
#include "common/request_context.h"
#include "store/store_registry.h"

#include <cstdint>

namespace glance::api {

// Pure checks the images controller applies before it touches the registry or a store.
// Each returns bad_request or forbidden with upstream's message.

// The declared size (Content-Length when > 0, else x-image-meta-size) over the cap → 400.
common::Result<void> check_declared_size(const common::http::Request& req,
                                         const ImageHeaderRequest& meta, uint64_t cap);

// The list filters the api validates itself, each refusal 400 "Bad value passed to filter
// <key> got <value>": size_min, size_max and min_ram integers >= 0; protected and is_public
// one of none, true, false, 1, 0 (any case). The rest, protected=none included, is the
// registry's.
common::Result<void> check_list_params(const common::http::QueryParams& params);

// Spec §2.6 steps 5–7: deleted images, immutable size/checksum of active images for
// non-admins, status and id that must not change.
common::Result<void> check_update_allowed(const common::Image& current,
                                          const ImageHeaderRequest& meta,
                                          const common::RequestContext& ctx);

// image_property_quota: payload_too_large when the image
// would have more than `quota` properties. They are the given ones, plus, unless `purge`,
// the properties of `current` not given (a merge); `current` is null on create. A negative
// quota means no limit.
common::Result<void> check_property_quota(const ImageHeaderRequest& meta,
                                          const common::Image* current, bool purge, int64_t quota);

// Data may be stored only once both formats are known.
common::Result<void> check_formats_set(const common::Image& image);

// The body of an upload must be declared application/octet-stream (parameters ignored).
bool is_octet_stream(const common::http::Request& req);

}  // namespace glance::api
