#pragma once

#include "common/error.h"
#include "common/http/query_string.h"

#include <cstdint>
#include <optional>
#include <string>

namespace glance::api::v2 {

// The page size of GET /v2/images: the last `limit` given (400 "limit param must be an
// integer" / "must be positive" as upstream), else `default_limit`, at most `max_limit`.
common::Result<int64_t> page_limit(const common::http::QueryParams& params, int64_t default_limit,
                                   int64_t max_limit);

// The list's links as upstream writes them: `first` is /v2/images with the request's
// parameters but the marker; `next` (only when the page is full) adds the marker of its last
// image. Repeated parameters (tag) are kept, so that the next page filters as this one did.
std::string first_link(const common::http::QueryParams& params);
std::string next_link(const common::http::QueryParams& params, const std::string& marker);

}  // namespace glance::api::v2
