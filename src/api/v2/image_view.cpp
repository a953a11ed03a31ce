#include "api/v2/image_view.h"

#include "common/json_parse.h"

#include <algorithm>
#include <array>

namespace glance::api::v2 {

namespace {
// The keys the serializer writes itself; a property with one of these names is hidden by it.
constexpr std::array<std::string_view, 23> kBaseKeys = {
    "name",         "disk_format", "container_format", "visibility",   "size",
    "virtual_size", "status",      "checksum",         "protected",    "min_ram",
    "min_disk",     "owner",       "os_hidden",        "os_hash_algo", "os_hash_value",
    "id",           "created_at",  "updated_at",       "tags",         "self",
    "file",         "schema",      "locations"};

bool is_base_key(std::string_view key) {
  return std::find(kBaseKeys.begin(), kBaseKeys.end(), key) != kBaseKeys.end() ||
         key == "direct_url";
}

// The locations `view` lets the caller see.
std::vector<const common::ImageLocation*> visible_locations(const common::Image& image,
                                                            const LocationView& view) {
  std::vector<const common::ImageLocation*> out;
  if (!view.may_get_locations) return out;
  if (image.status == common::ImageStatus::deactivated && !view.is_admin) return out;
  for (const auto& l : image.locations)
    if (l.status == "active") out.push_back(&l);
  return out;
}

void write_locations(common::JsonWriter& w, const common::Image& image, const LocationView& view) {
  if (!view.show_multiple_locations && !view.show_image_direct_url) return;
  const auto shown = visible_locations(image, view);
  if (view.show_multiple_locations) {
    w.key("locations").begin_array();
    for (const auto* l : shown) {
      w.begin_object().key("url").string(l->url).key("metadata");
      w.raw(l->metadata.is_object() ? common::dump_json(l->metadata) : "{}");
      w.end_object();
    }
    w.end_array();
  }
  if (view.show_image_direct_url && !shown.empty()) w.key("direct_url").string(shown.front()->url);
}
}  // namespace

std::string iso_time(std::string_view wire) {
  if (wire.size() < 19) return std::string(wire);
  return std::string(wire.substr(0, 19)) + "Z";
}

std::string image_href(std::string_view id) {
  return "/v2/images/" + std::string(id);
}

void write_image(common::JsonWriter& w, const common::Image& image, const LocationView& view) {
  w.begin_object();
  for (const auto& [key, value] : image.properties)
    if (!is_base_key(key)) w.key(key).string(value.value_or(""));
  w.key("name").string_or_null(image.name);
  w.key("disk_format").string_or_null(image.disk_format);
  w.key("container_format").string_or_null(image.container_format);
  w.key("visibility").string(image.visibility);
  w.key("size").number_or_null(image.size);
  w.key("virtual_size").number_or_null(image.virtual_size);
  w.key("status").string(to_string(image.status));
  w.key("checksum").string_or_null(image.checksum);
  w.key("protected").boolean(image.is_protected);
  w.key("min_ram").number(image.min_ram);
  w.key("min_disk").number(image.min_disk);
  w.key("owner").string_or_null(image.owner);
  w.key("os_hidden").boolean(image.os_hidden);
  w.key("os_hash_algo").string_or_null(image.os_hash_algo);
  w.key("os_hash_value").string_or_null(image.os_hash_value);
  write_locations(w, image, view);
  w.key("id").string(image.id);
  w.key("created_at").string(iso_time(image.created_at));
  w.key("updated_at").string(iso_time(image.updated_at.value_or(image.created_at)));
  w.key("tags").begin_array();
  for (const auto& t : image.tags) w.string(t);
  w.end_array();
  const std::string self = image_href(image.id);
  w.key("self").string(self);
  w.key("file").string(self + "/file");
  w.key("schema").string("/v2/schemas/image");
  w.end_object();
}

std::string image_document(const common::Image& image, const LocationView& view) {
  std::string out;
  common::JsonWriter w(out);
  write_image(w, image, view);
  return out;
}

}  // namespace glance::api::v2
