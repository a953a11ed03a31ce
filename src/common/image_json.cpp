#include "common/image_json.h"

#include "common/http/headers.h"
#include "common/json_parse.h"

#include <charconv>
#include <cstdint>
#include <limits>

namespace glance::common {

using nlohmann::json;

namespace {
template <class T>
json nullable(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

Error bad_type(const std::string& key, const char* expected) {
  return Error::bad_request("Invalid value for '" + key + "': expected " + expected + ".");
}

Result<std::optional<std::string>> read_string(const json& v, const std::string& key) {
  if (v.is_null()) return std::optional<std::string>();
  if (!v.is_string()) return bad_type(key, "a string");
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::optional<int64_t>> read_int(const json& v, const std::string& key) {
  if (v.is_null()) return std::optional<int64_t>();
  // A JSON integer above int64's range arrives unsigned; converting it would wrap.
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return bad_type(key, "an integer within 64 bits");
  if (v.is_number_integer()) return std::optional<int64_t>(v.get<int64_t>());
  if (v.is_string()) {  // upstream applies int() to these
    const auto& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty())
      return std::optional<int64_t>(out);
  }
  return bad_type(key, "an integer");
}

Result<bool> read_bool(const json& v, const std::string& key) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) return lenient_bool(v.get<std::string>());
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  return bad_type(key, "a boolean");
}

Result<std::vector<ImageLocation>> read_locations(const json& v) {
  if (!v.is_array()) return bad_type("location_data", "a list");
  std::vector<ImageLocation> out;
  for (const auto& item : v) {
    if (!item.is_object() || !item.contains("url") || !item["url"].is_string())
      return bad_type("location_data", "a list of {\"url\": ...} objects");
    ImageLocation loc;
    loc.url = item["url"].get<std::string>();
    auto given = [&](const char* member) {
      return item.contains(member) && !item[member].is_null();
    };
    if (given("id")) {
      auto id = read_int(item["id"], "location_data");
      if (!id) return id.error();
      loc.id = *id;
    }
    if (given("metadata")) {
      if (!item["metadata"].is_object()) return bad_type("location_data", "object metadata");
      loc.metadata = item["metadata"];
    }
    if (given("status")) {
      if (!item["status"].is_string()) return bad_type("location_data", "a string status");
      loc.status = item["status"].get<std::string>();
    }
    // Only the registry's answers carry it; in a request it means nothing, and a value of
    // another type is ignored as unknown keys are.
    if (given("in_use") && item["in_use"].is_boolean()) loc.in_use = item["in_use"].get<bool>();
    out.push_back(std::move(loc));
  }
  return out;
}

// `location` (one url) merges into `location_data` by url, preserving order.
void merge_location(std::vector<ImageLocation>& locations, const std::string& url) {
  for (const auto& l : locations)
    if (l.url == url) return;
  locations.insert(locations.begin(), ImageLocation{std::nullopt, url});
}
// The nullable text fields, by their JSON key.
ImageFields::Nullable<std::string> ImageFields::*text_field(std::string_view key) {
  static constexpr std::pair<std::string_view, ImageFields::Nullable<std::string> ImageFields::*>
      kFields[] = {
          {"name", &ImageFields::name},
          {"disk_format", &ImageFields::disk_format},
          {"container_format", &ImageFields::container_format},
          {"checksum", &ImageFields::checksum},
          {"owner", &ImageFields::owner},
          {"created_at", &ImageFields::created_at},
          {"updated_at", &ImageFields::updated_at},
          {"deleted_at", &ImageFields::deleted_at},
          {"os_hash_algo", &ImageFields::os_hash_algo},
          {"os_hash_value", &ImageFields::os_hash_value},
      };
  for (const auto& [name, member] : kFields)
    if (name == key) return member;
  return nullptr;
}
}  // namespace

bool lenient_bool(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::string v = http::to_lower(value);
  return v == "1" || v == "t" || v == "true" || v == "on" || v == "y" || v == "yes";
}

std::optional<std::string> Image::active_location() const {
  for (const auto& l : locations)
    if (l.status == "active") return l.url;
  return std::nullopt;
}

void write_image_json(JsonWriter& w, const Image& image, bool brief, bool v2_fields) {
  w.begin_object();
  w.key("id").string(image.id);
  w.key("name").string_or_null(image.name);
  w.key("size").number_or_null(image.size);
  w.key("disk_format").string_or_null(image.disk_format);
  w.key("container_format").string_or_null(image.container_format);
  w.key("checksum").string_or_null(image.checksum);
  if (brief) {
    w.end_object();
    return;
  }
  w.key("virtual_size").number_or_null(image.virtual_size);
  w.key("os_hash_algo").string_or_null(image.os_hash_algo);
  w.key("os_hash_value").string_or_null(image.os_hash_value);
  w.key("status").string(to_string(image.status));
  w.key("owner").string_or_null(image.owner);
  w.key("min_disk").number(image.min_disk);
  w.key("min_ram").number(image.min_ram);
  w.key("protected").boolean(image.is_protected);
  w.key("is_public").boolean(image.is_public);
  w.key("created_at").string(image.created_at);
  w.key("updated_at").string_or_null(image.updated_at);
  w.key("deleted_at").string_or_null(image.deleted_at);
  w.key("deleted").boolean(image.deleted);
  w.key("properties").begin_object();
  for (const auto& [k, v] : image.properties) w.key(k).string_or_null(v);
  w.end_object();
  w.key("location_data").begin_array();
  for (const auto& l : image.locations) {
    w.begin_object();
    w.key("id").number_or_null(l.id);
    w.key("url").string(l.url);
    w.key("metadata").raw(dump_json(l.metadata));
    w.key("status").string(l.status);
    if (l.in_use) w.key("in_use").boolean(*l.in_use);
    w.end_object();
  }
  w.end_array();
  w.key("location").string_or_null(image.active_location());
  if (v2_fields) {
    w.key("visibility").string(image.visibility);
    w.key("os_hidden").boolean(image.os_hidden);
    w.key("tags").begin_array();
    for (const auto& t : image.tags) w.string(t);
    w.end_array();
  }
  w.end_object();
}

namespace {
// Reads back what write_image_json wrote. The writer emits valid UTF-8 and the only nested
// value in an image, location metadata, was itself read within the default depth, so the
// image's own few levels on top of it are all the extra room needed; failing here is a bug,
// and value() throws it to the session's last-resort handler.
json reparse(const std::string& written) {
  constexpr size_t kImageLevels = 8;
  const JsonLimits own_output{JsonLimits{}.max_depth + kImageLevels, written.size()};
  return parse_json(written, own_output).value();
}
}  // namespace

json image_to_json(const Image& image, bool v2_fields) {
  std::string out;
  JsonWriter w(out);
  write_image_json(w, image, false, v2_fields);
  return reparse(out);
}

json image_to_brief_json(const Image& image) {
  std::string out;
  JsonWriter w(out);
  write_image_json(w, image, true);
  return reparse(out);
}

Result<Image> image_from_json(const json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
    return Error::internal("registry returned an image without an id");
  auto fields = image_fields_from_json(j, true);
  if (!fields) return fields.error();
  Image img;
  img.id = j["id"].get<std::string>();
  auto& f = *fields;
  img.name = f.name.value_or(std::nullopt);
  img.size = f.size.value_or(std::nullopt);
  img.virtual_size = f.virtual_size.value_or(std::nullopt);
  img.disk_format = f.disk_format.value_or(std::nullopt);
  img.container_format = f.container_format.value_or(std::nullopt);
  img.status = f.status.value_or(ImageStatus::queued);
  img.checksum = f.checksum.value_or(std::nullopt);
  img.os_hash_algo = f.os_hash_algo.value_or(std::nullopt);
  img.os_hash_value = f.os_hash_value.value_or(std::nullopt);
  img.owner = f.owner.value_or(std::nullopt);
  img.min_disk = f.min_disk.value_or(0);
  img.min_ram = f.min_ram.value_or(0);
  img.is_protected = f.is_protected.value_or(false);
  img.is_public = f.is_public.value_or(false);
  img.visibility = f.visibility.value_or(img.is_public ? "public" : "shared");
  img.os_hidden = f.os_hidden.value_or(false);
  img.tags = f.tags.value_or(std::vector<std::string>{});
  img.created_at = f.created_at.value_or(std::nullopt).value_or("");
  img.updated_at = f.updated_at.value_or(std::nullopt);
  img.deleted_at = f.deleted_at.value_or(std::nullopt);
  img.deleted = f.deleted.value_or(false);
  img.properties = f.properties.value_or(ImageProperties{});
  img.locations = f.locations.value_or(std::vector<ImageLocation>{});
  return img;
}

Result<ImageFields> image_fields_from_json(const json& j, bool v2_fields) {
  if (!j.is_object()) return Error::bad_request("Unexpected body type. Expected list/dict.");
  ImageFields f;
  for (const auto& [key, v] : j.items()) {
    if (key == "id") {
      if (!v.is_string()) return bad_type(key, "a string");
      f.id = v.get<std::string>();
    } else if (auto field = text_field(key)) {
      auto text = read_string(v, key);
      if (!text) return text.error();
      f.*field = *text;
    } else if (key == "size" || key == "virtual_size") {
      auto n = read_int(v, key);
      if (!n) return n.error();
      (key == "size" ? f.size : f.virtual_size) = *n;
    } else if (key == "min_disk" || key == "min_ram") {
      auto n = read_int(v, key);
      if (!n) return n.error();
      (key == "min_disk" ? f.min_disk : f.min_ram) = n->value_or(0);
    } else if (key == "status") {
      if (!v.is_string()) return bad_type(key, "a string");
      auto s = image_status_from_string(v.get<std::string>());
      if (!s) return Error::bad_request("Invalid image status '" + v.get<std::string>() + "'");
      f.status = *s;
    } else if (key == "is_public" || key == "protected" || key == "deleted") {
      if (v.is_null()) continue;
      auto b = read_bool(v, key);
      if (!b) return b.error();
      (key == "is_public" ? f.is_public : key == "protected" ? f.is_protected : f.deleted) = *b;
    } else if (key == "properties") {
      if (v.is_null()) continue;
      if (!v.is_object()) return bad_type(key, "an object");
      ImageProperties props;
      for (const auto& [pk, pv] : v.items()) {
        if (pv.is_null())
          props[pk] = std::nullopt;
        else if (pv.is_string())
          props[pk] = pv.get<std::string>();
        else  // v1 carries properties in headers: only text ever reaches the api
          return bad_type("properties." + pk, "a string or null");
      }
      f.properties = std::move(props);
    } else if (v2_fields && key == "visibility") {
      if (!v.is_string()) return bad_type(key, "a string");
      f.visibility = v.get<std::string>();
    } else if (v2_fields && key == "os_hidden") {
      if (!v.is_boolean()) return bad_type(key, "a boolean");
      f.os_hidden = v.get<bool>();
    } else if (v2_fields && key == "tags") {
      if (!v.is_array()) return bad_type(key, "a list of strings");
      std::vector<std::string> tags;
      for (const auto& t : v) {
        if (!t.is_string()) return bad_type(key, "a list of strings");
        tags.push_back(t.get<std::string>());
      }
      f.tags = std::move(tags);
    } else if (key == "location_data") {
      if (v.is_null()) continue;
      auto locs = read_locations(v);
      if (!locs) return locs.error();
      f.locations = std::move(*locs);
    }
  }
  if (j.contains("location") && !j["location"].is_null()) {
    if (!j["location"].is_string()) return bad_type("location", "a string");
    if (!f.locations) f.locations.emplace();
    merge_location(*f.locations, j["location"].get<std::string>());
  }
  return f;
}

json image_fields_to_json(const ImageFields& f) {
  json j = json::object();
  auto put = [&](const char* key, const auto& v) {
    if (v) j[key] = nullable(*v);
  };
  if (f.id) j["id"] = *f.id;
  put("name", f.name);
  put("disk_format", f.disk_format);
  put("container_format", f.container_format);
  put("checksum", f.checksum);
  put("os_hash_algo", f.os_hash_algo);
  put("os_hash_value", f.os_hash_value);
  put("owner", f.owner);
  put("size", f.size);
  put("virtual_size", f.virtual_size);
  put("created_at", f.created_at);
  put("updated_at", f.updated_at);
  put("deleted_at", f.deleted_at);
  if (f.min_disk) j["min_disk"] = *f.min_disk;
  if (f.min_ram) j["min_ram"] = *f.min_ram;
  if (f.status) j["status"] = std::string(to_string(*f.status));
  if (f.is_public) j["is_public"] = *f.is_public;
  if (f.is_protected) j["protected"] = *f.is_protected;
  if (f.deleted) j["deleted"] = *f.deleted;
  if (f.visibility) j["visibility"] = *f.visibility;
  if (f.os_hidden) j["os_hidden"] = *f.os_hidden;
  if (f.tags) j["tags"] = *f.tags;
  if (f.properties) {
    json props = json::object();
    for (const auto& [k, v] : *f.properties) props[k] = nullable(v);
    j["properties"] = std::move(props);
  }
  if (f.locations) {
    json locs = json::array();
    for (const auto& l : *f.locations) {
      json e = {{"url", l.url}, {"metadata", l.metadata}, {"status", l.status}};
      if (l.id) e["id"] = *l.id;
      locs.push_back(std::move(e));
    }
    j["location_data"] = std::move(locs);
  }
  return j;
}

}  // namespace glance::common
