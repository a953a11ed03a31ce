#pragma once

#include "common/error.h"
#include "common/http/response.h"
#include "common/image.h"
#include "store/store_registry.h"

namespace glance::api {

// The 200 answer to GET /v1/images/{id} for an active image (spec §2.5 steps 5–6): the
// metadata headers, Content-Type application/octet-stream, and the data straight from its
// store (a file range for the file store, so it goes out with sendfile). An image of size 0
// has an empty body and needs no store. Errors: not_found (no data at the location),
// bad_request (no store serves the location's scheme).
common::Result<common::http::Response> image_data_response(const store::StoreRegistry& stores,
                                                           const common::Image& image);

}  // namespace glance::api
