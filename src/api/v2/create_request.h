#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/image_formats.h"

#include <nlohmann/json.hpp>

namespace glance::api::v2 {

// Everything upstream's image schema says of `body` (a whole image or a part of one): types,
// enums (the formats from `formats`), lengths, the id pattern, additional properties as
// strings. 400 "Provided object does not match schema 'image': ..." at the first fault. Pure.
common::Result<void> validate_image_schema(const nlohmann::json& body,
                                           const common::ImageFormats& formats);

// The body of POST /v2/images, checked in upstream's order: a body that is not JSON is
// 400; `direct_url`, `self`, `file` or `schema` is 403 "Attribute 'x' is read-only."; then
// the image schema (types, enums, lengths, the id pattern, additional properties as strings:
// 400 "Provided object does not match schema 'image': ..."); a property name over 255
// characters is 400; a read-only attribute (created_at, updated_at, status, checksum,
// os_hash_algo, os_hash_value, size, virtual_size) is 403; a reserved one (locations,
// deleted, deleted_at) is 403 "Attribute 'x' is reserved."; more than `property_quota`
// properties (negative: no limit) is 413. Pure function.
//
// The answer is what to ask the registry to create: the given fields with upstream's
// defaults (visibility shared, not protected, not hidden, min_disk and min_ram 0, queued).
// The owner stays as given; Authorizer::authorize_v2_create decides who may set it.
common::Result<common::ImageFields> parse_create_request(const nlohmann::json& body,
                                                         const common::ImageFormats& formats,
                                                         int64_t property_quota);

}  // namespace glance::api::v2
