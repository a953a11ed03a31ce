#pragma once

#include "common/error.h"
#include "common/http/response.h"
#include "common/image.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>

namespace glance::api {

class ImageCache;

// The answer to GET /v1/images/{id} for an active image: the metadata
// headers, Content-Type application/octet-stream, and the data straight from its store (a
// file range for the file store, so it goes out with sendfile). An image of size 0 has an
// empty body and needs no store.
//
// Beyond upstream v1, `range` (the request's Range header) is honoured against the recorded
// size, and the store is asked for those bytes only (a shorter file range, a ranged GET of a
// remote object): one satisfiable range gives 206 with Content-Range; an unsatisfiable one
// gives 416 with "Content-Range: bytes */<size>"; anything else (byte_range.h) the whole
// image with 200 and "Accept-Ranges: bytes". `options` carries the address check for
// locations a client chose. Errors: the store's (not_found when the data is gone,
// unavailable when its server is unreachable), bad_request (no store serves the location's
// scheme).
//
// With `v2_headers`, as GET /v2/images/{id}/file answers: no x-image-meta-* headers, no
// Accept-Ranges, and Content-MD5 with the checksum when there is one.
//
// With `cache`, a cached copy whose checksum is the image's answers instead of the store
// (the same ranges, from the local file); without one, a whole-image answer starts a fill of
// the cache, or joins the fill of it already running (ImageCache::follow), so that concurrent
// misses read the store once; either way the body follows the fill, served from its file as
// the bytes arrive, at the client's own pace, and its last byte goes only once the copy
// passed its size and checksum checks (a failed fill cuts the connection). Ranges are read
// from the store while a fill runs. The caller has made every check an uncached download
// makes.
boost::asio::awaitable<common::Result<common::http::Response>> image_data_response(
    const store::StoreRegistry& stores, const common::Image& image,
    std::optional<std::string_view> range, const store::ReadOptions& options,
    bool v2_headers = false, ImageCache* cache = nullptr);

}  // namespace glance::api
