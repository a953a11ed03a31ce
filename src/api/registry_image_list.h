#pragma once

#include "common/error.h"
#include "common/image.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace glance::api {

// The images of a registry list answer ({"images": [...]}), read one at a time so that a page
// of a thousand images is never one JSON document in memory. Errors: internal "registry
// returned an unexpected image list" for a text over `max_bytes`, not JSON, nested too deep,
// or without exactly one "images" array; otherwise the first image's error from
// common::image_from_json (a non-object or an image without an id is internal). Pure.
common::Result<std::vector<common::Image>> read_image_list(std::string_view body, size_t max_bytes);

}  // namespace glance::api
