#pragma once

#include "common/error.h"
#include "common/http/headers.h"
#include "common/image.h"
#include "common/image_formats.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace glance::api {

// The image metadata a POST or PUT carries in its headers.
struct ImageHeaderRequest {
  common::ImageFields fields;            // x-image-meta-<field>, x-image-meta-property-*
  std::optional<std::string> status;     // x-image-meta-status, as sent
  std::optional<std::string> location;   // x-image-meta-location
  std::optional<std::string> copy_from;  // x-glance-api-copy-from
  std::optional<std::string> store;      // x-image-meta-store
  bool purge_props = true;               // x-glance-registry-purge-props (lenient bool)
};

// Parses x-image-meta-* headers. Names ignore case and treat '-' and '_' alike; property
// names are lower-cased with '-' turned into '_'; empty values are null. Fails with
// bad_request for an unknown x-image-meta field (os_hash_algo and os_hash_value among them:
// only the service sets those), a non-integer or negative number, a bad
// timestamp, a name over 255 characters, a checksum over 32, formats not allowed by
// `formats` (Amazon rule applied), one field sent twice with different values, CR, LF or
// NUL in any value (it would be echoed back in a header), a header name that is not UTF-8,
// or anything else common::validate_image_fields() or common::validate_location_url()
// refuses (the rules the registry applies too). Pure; no I/O.
common::Result<ImageHeaderRequest> parse_image_headers(const common::http::Headers& headers,
                                                       const common::ImageFormats& formats);

// Adds the image's metadata as response headers: x-image-meta-<field> for every
// non-null field (os_hash_algo and os_hash_value included), booleans as True/False,
// x-image-meta-property-<name> for every non-null property, and ETag when there is a checksum.
// Locations are never shown. A value that is not header-safe (common::is_header_safe_value) and
// a property whose name is not a header token (common::is_valid_property_name) are left out
// rather than let them split or forge a header.
void add_image_headers(const common::Image& image, common::http::Headers& out);

// The image as v1 clients see it in JSON: the registry's form without location fields.
nlohmann::json image_to_api_json(const common::Image& image);

}  // namespace glance::api
