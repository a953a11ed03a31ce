#pragma once

#include "common/image.h"

#include <string>
#include <vector>

namespace glance::api {

// The body of GET /v1/images ({"images": [<brief form>, ...]}) and, with `detail`, of
// GET /v1/images/detail (each image as image_to_api_json shows it). Written one image at a
// time: a page holds up to a thousand images, and a document of the whole list would cost
// several times the list itself. The bytes are those of common::dump_json on that document
// (each image's keys sorted, no spaces). Pure; no I/O.
std::string image_list_body(const std::vector<common::Image>& images, bool detail);

}  // namespace glance::api
