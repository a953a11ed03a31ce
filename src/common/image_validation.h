#pragma once

#include "common/error.h"
#include "common/image.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace glance::common {

// The bounds of the image columns: what the registry's schema can hold.
inline constexpr size_t kMaxImageNameChars = 255;        // images.name VARCHAR(255)
inline constexpr size_t kMaxOwnerChars = 255;            // images.owner VARCHAR(255)
inline constexpr size_t kMaxFormatChars = 20;            // images.{disk,container}_format
inline constexpr size_t kMaxHashAlgoChars = 64;          // images.os_hash_algo VARCHAR(64)
inline constexpr size_t kMaxHashValueChars = 128;        // images.os_hash_value VARCHAR(128)
inline constexpr size_t kMaxPropertyNameChars = 255;     // image_properties.name VARCHAR(255)
inline constexpr size_t kMaxTextColumnBytes = 65535;     // TEXT: property values, locations
inline constexpr int64_t kMaxMinDiskOrRam = 2147483647;  // images.min_{disk,ram} INT

// Checks the field values of one image create or update before anything is written. Both
// daemons call it: glance-api on what it parsed from x-image-meta-* headers, glance-registry
// on what it decoded from its JSON body, so the registry never stores what the api refuses
// and nothing stored can break the headers the api renders from it. Rules:
// - size, virtual_size: not negative (int64 by type); min_disk, min_ram: 0 to 2147483647;
// - id: UUID-like; status: an ImageStatus by type;
// - every text: valid UTF-8, no control character but tab (it may be echoed in a header);
// - name at most 255 characters, owner 255, each format 1 to 20; checksum 32 hex digits
//   (an MD5); os_hash_algo 1 to 64 of [a-z0-9_-]; os_hash_value 1 to 128 hex digits;
// - timestamps ISO 8601;
// - property names: see is_valid_property_name(); values at most 65535 bytes;
// - locations: a url of 1 to 65535 bytes, status active, pending_delete or deleted, and
//   metadata an object whose JSON fits 65535 bytes.
// Whether the caller may set a field, and the formats the api is configured to allow
// (ImageFormats), are the callers' business. Fails with bad_request naming the first
// offending field, never quoting a refused value. Pure.
Result<void> validate_image_fields(const ImageFields& fields);

// Checks one location url by the rule above (for the api's x-image-meta-location).
Result<void> validate_location_url(std::string_view url);

// True when `name` may name a property. It becomes part of a header name
// (x-image-meta-property-<name>), so it holds 1 to 255 HTTP token characters only:
// letters, digits and !#$%&'*+-.^_`|~.
bool is_valid_property_name(std::string_view name);

// True when `value` may be sent as an HTTP header value: valid UTF-8 without control
// characters other than tab.
bool is_header_safe_value(std::string_view value);

// Clears the fields only the service writes: deleted, deleted_at, created_at, updated_at.
void drop_system_fields(ImageFields& fields);

}  // namespace glance::common
