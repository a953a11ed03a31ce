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
// same name. Pure functions.
//
// Locations are shown as `view` says (upstream's show_multiple_locations and
// show_image_direct_url, for callers whom get_image_location admits): "locations" lists the
// active locations as {"url", "metadata"} ([] for a caller not admitted, and for one who is not
// admin when the image is deactivated); "direct_url" is the first of them, left out when there
// is none.
struct LocationView {
  bool show_multiple_locations = false;
  bool show_image_direct_url = false;
  bool may_get_locations = false;  // get_image_location passes for the caller
  bool is_admin = false;
};
void write_image(common::JsonWriter& writer, const common::Image& image,
                 const LocationView& view = {});
std::string image_document(const common::Image& image, const LocationView& view = {});

// "/v2/images/<id>": the image's `self`; `file` adds "/file".
std::string image_href(std::string_view id);

// A registry timestamp ("YYYY-MM-DDTHH:MM:SS.ffffff") as upstream's isotime writes it
// ("YYYY-MM-DDTHH:MM:SSZ").
std::string iso_time(std::string_view wire);

}  // namespace glance::api::v2
