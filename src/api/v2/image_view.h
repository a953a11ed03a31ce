#pragma once

#include "common/image.h"
#include "common/json_writer.h"

#include <string>
#include <string_view>

namespace glance::api::v2 {

// Glance v2's JSON form of an image, as upstream's images serializer writes it: the
// additional properties as top-level keys (a null one, which only v1 can write, as ""), then
// name, disk_format, container_format, visibility, size, virtual_size, status, checksum,
// protected, min_ram, min_disk, owner, os_hidden, os_hash_algo, os_hash_value, id,
// created_at, updated_at, tags, self, file and schema, which win over a property of the
// same name. Locations and direct_url are never shown. Pure functions.
void write_image(common::JsonWriter& writer, const common::Image& image);
std::string image_document(const common::Image& image);

// "/v2/images/<id>": the image's `self`; `file` adds "/file".
std::string image_href(std::string_view id);

// A registry timestamp ("YYYY-MM-DDTHH:MM:SS.ffffff") as upstream's isotime writes it
// ("YYYY-MM-DDTHH:MM:SSZ").
std::string iso_time(std::string_view wire);

}  // namespace glance::api::v2
