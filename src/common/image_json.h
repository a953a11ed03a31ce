#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/json_writer.h"

#include <nlohmann/json.hpp>

namespace glance::common {

// The registry's JSON forms of an image. One codec for both sides of the wire:
// the registry writes images and reads field sets; the api's registry client does the reverse.

// Writes the full image dict (including `location`, `location_data` and `properties`), or
// with `brief` the list form: id, name, size, disk_format, container_format, checksum.
// This is the one definition of both forms; the DOM versions below parse its output.
// `v2_fields` adds `visibility`, `os_hidden` and `tags` to the full form (the registry's
// /v2 resource); v1's answers never carry them.
void write_image_json(JsonWriter& writer, const Image& image, bool brief, bool v2_fields = false);

nlohmann::json image_to_json(const Image& image, bool v2_fields = false);
nlohmann::json image_to_brief_json(const Image& image);
// Reads `visibility`, `os_hidden` and `tags` when present; without `visibility` it follows
// from is_public as v1 writes it (public or shared).
Result<Image> image_from_json(const nlohmann::json& j);

// A field set as sent in {"image": {...}}. Keys that are not image fields are ignored, as
// upstream does; values of the wrong JSON type are a bad_request naming the field.
// `v2_fields` also reads `visibility`, `os_hidden` and `tags` (ignored otherwise).
Result<ImageFields> image_fields_from_json(const nlohmann::json& j, bool v2_fields = false);
nlohmann::json image_fields_to_json(const ImageFields& fields);

// Lenient boolean as Glance parses query and header values: 1, t, true, on, y, yes.
bool lenient_bool(std::string_view value);

}  // namespace glance::common
