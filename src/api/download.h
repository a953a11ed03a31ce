#pragma once

#include "common/error.h"
#include "common/http/response.h"
#include "common/image.h"
#include "store/store_registry.h"

#include <optional>
#include <string_view>

namespace glance::api {

// The answer to GET /v1/images/{id} for an active image (spec §2.5 steps 5–6): the metadata
// headers, Content-Type application/octet-stream, and the data straight from its store (a
// file range for the file store, so it goes out with sendfile). An image of size 0 has an
// empty body and needs no store.
//
// Beyond upstream, `range` (the request's Range header) is honoured where the store hands
// out a file range: one satisfiable range gives 206 with Content-Range and only those bytes,
// still zero-copy; an unsatisfiable one gives 416 with "Content-Range: bytes */<size>";
// anything else (byte_range.h) the whole image with 200 and "Accept-Ranges: bytes".
// Errors: not_found (no data at the location), bad_request (no store serves the location's
// scheme).
common::Result<common::http::Response> image_data_response(
    const store::StoreRegistry& stores, const common::Image& image,
    std::optional<std::string_view> range = std::nullopt);

}  // namespace glance::api
