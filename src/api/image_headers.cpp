#include "api/image_headers.h"

#include "common/clock.h"
#include "common/image_json.h"
#include "common/image_validation.h"
#include "common/utf8.h"

#include <array>
#include <charconv>
#include <map>

namespace glance::api {

using common::Error;
using common::Result;
using common::http::Headers;

namespace {

constexpr std::string_view kMetaPrefix = "x-image-meta-";
constexpr std::string_view kPropertyPrefix = "x-image-meta-property-";
constexpr std::array<std::string_view, 21> kAllowedFields = {
    "location",    "size",       "is_public",  "disk_format", "container_format",
    "name",        "status",     "copy_from",  "uri",         "checksum",
    "created_at",  "updated_at", "deleted_at", "min_ram",     "min_disk",
    "owner",       "store",      "id",         "protected",   "deleted",
    "virtual_size"};

bool has_control_chars(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string canonical_name(std::string_view name) {
  std::string out = common::http::to_lower(name);
  for (char& c : out)
    if (c == '-') c = '_';
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Python's int(): surrounding blanks and a sign allowed.
std::optional<int64_t> python_int(std::string_view text) {
  text = trim(text);
  if (text.starts_with('+')) text.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Result<std::optional<int64_t>> parse_int_field(const std::string& key, const std::string& v) {
  if (key == "virtual_size" && (v == "None" || v.empty())) return std::optional<int64_t>();
  auto n = python_int(v);
  std::string prefix = "Invalid value '" + v + "' for parameter '" + key + "': ";
  if (!n)
    return Error::bad_request(prefix + "Cannot convert image " + key + " '" + v +
                              "' to an integer.");
  if (*n < 0) return Error::bad_request(prefix + "Cannot be a negative value.");
  return std::optional<int64_t>(*n);
}

Result<std::optional<std::string>> parse_time_field(const std::string& key, const std::string& v) {
  if (v.empty()) return std::optional<std::string>();
  auto tp = common::parse_iso8601(v);
  if (!tp) return Error::bad_request("Invalid time format for " + key + ".");
  return std::optional<std::string>(common::format_timestamp(*tp));
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> nullable(const std::string& v) {
  return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

Result<void> apply_field(ImageHeaderRequest& out, const std::string& key, const std::string& v) {
  auto& f = out.fields;
  if (key == "size" || key == "virtual_size") {
    auto n = parse_int_field(key, v);
    if (!n) return n.error();
    (key == "size" ? f.size : f.virtual_size) = *n;
  } else if (key == "min_ram" || key == "min_disk") {
    auto n = parse_int_field(key, v);
    if (!n) return n.error();
    (key == "min_ram" ? f.min_ram : f.min_disk) = n->value_or(0);
  } else if (key == "created_at" || key == "updated_at" || key == "deleted_at") {
    auto t = parse_time_field(key, v);
    if (!t) return t.error();
    (key == "created_at" ? f.created_at : key == "updated_at" ? f.updated_at : f.deleted_at) = *t;
  } else if (key == "is_public" || key == "protected" || key == "deleted") {
    (key == "is_public"   ? f.is_public
     : key == "protected" ? f.is_protected
                          : f.deleted) = common::lenient_bool(v);
  } else if (key == "name") {
    if (utf8_length(v) > 255)
      return Error::bad_request("Image name too long: " + std::to_string(utf8_length(v)));
    f.name = nullable(v);
  } else if (key == "checksum") {
    if (v.size() > 32)
      return Error::bad_request("Invalid checksum '" + v + "': can't exceed 32 characters");
    f.checksum = nullable(v);
  } else if (key == "disk_format") {
    f.disk_format = nullable(v);
  } else if (key == "container_format") {
    f.container_format = nullable(v);
  } else if (key == "owner") {
    f.owner = nullable(v);
  } else if (key == "id") {
    f.id = v;
  } else if (key == "status") {
    out.status = v;
  } else if (key == "location") {
    out.location = v;
  } else if (key == "store") {
    out.store = v;
  }
  // copy_from and uri are accepted and, as upstream, never stored.
  return {};
}

}  // namespace

Result<ImageHeaderRequest> parse_image_headers(const Headers& headers,
                                               const common::ImageFormats& formats) {
  ImageHeaderRequest out;
  std::map<std::string, std::string> seen;  // canonical name -> value
  for (const auto& [raw_name, value] : headers) {
    std::string name = canonical_name(raw_name);
    bool is_meta = name.starts_with("x_image_meta_");
    bool is_extra = name == "x_glance_api_copy_from" || name == "x_glance_registry_purge_props";
    if (!is_meta && !is_extra) continue;
    // The name is echoed in errors below and, for properties, stored; neither may carry
    // bytes that are not UTF-8 (the message then names no header rather than quote them).
    if (!common::is_valid_utf8(raw_name))
      return Error::bad_request("An x-image-meta header name is not UTF-8");
    if (has_control_chars(value))
      return Error::bad_request("Header " + raw_name + " contains control characters");
    // x-image-meta values are checked with the field rules below; these two are not fields.
    if (is_extra && !common::is_valid_utf8(value))
      return Error::bad_request("Header " + raw_name + " is not UTF-8");
    auto [it, inserted] = seen.emplace(name, value);
    if (!inserted && it->second != value)
      return Error::bad_request("Conflicting values for header " + raw_name);
  }
  for (const auto& [name, value] : seen) {
    if (name == "x_glance_api_copy_from") {
      out.copy_from = value;
    } else if (name == "x_glance_registry_purge_props") {
      out.purge_props = common::lenient_bool(value);
    } else if (name.starts_with("x_image_meta_property_")) {
      std::string key = name.substr(kPropertyPrefix.size());
      if (!out.fields.properties) out.fields.properties.emplace();
      (*out.fields.properties)[key] = nullable(value);
    } else {
      std::string key = name.substr(kMetaPrefix.size());
      bool allowed = false;
      for (auto f : kAllowedFields) allowed = allowed || f == key;
      if (!allowed) return Error::bad_request("Bad header: x-image-meta-" + key);
      if (auto r = apply_field(out, key, value); !r) return r.error();
    }
  }
  if (auto r = formats.validate(out.fields.disk_format, out.fields.container_format); !r)
    return r.error();
  // The registry applies the same rules; checking here refuses before anything is reserved.
  if (auto r = common::validate_image_fields(out.fields); !r) return r.error();
  if (out.location)
    if (auto r = common::validate_location_url(*out.location); !r) return r.error();
  return out;
}

void add_image_headers(const common::Image& image, Headers& out) {
  // Stored data may predate the rules or come from elsewhere: whatever would split or
  // forge a header stays out of the response.
  auto put = [&](const std::string& key, const std::optional<std::string>& value) {
    if (value && common::is_header_safe_value(*value)) out.add(key, *value);
  };
  auto num = [](const std::optional<int64_t>& v) {
    return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
  };
  auto flag = [](bool b) { return std::optional<std::string>(b ? "True" : "False"); };
  std::string p(kMetaPrefix);
  put(p + "id", image.id);
  put(p + "name", image.name);
  put(p + "disk_format", image.disk_format);
  put(p + "container_format", image.container_format);
  put(p + "size", num(image.size));
  put(p + "virtual_size", num(image.virtual_size));
  put(p + "checksum", image.checksum);
  put(p + "os_hash_algo", image.os_hash_algo);
  put(p + "os_hash_value", image.os_hash_value);
  put(p + "status", std::string(to_string(image.status)));
  put(p + "is_public", flag(image.is_public));
  put(p + "protected", flag(image.is_protected));
  put(p + "owner", image.owner);
  put(p + "min_ram", std::to_string(image.min_ram));
  put(p + "min_disk", std::to_string(image.min_disk));
  put(p + "created_at", image.created_at);
  put(p + "updated_at", image.updated_at);
  put(p + "deleted_at", image.deleted_at);
  put(p + "deleted", flag(image.deleted));
  for (const auto& [key, value] : image.properties)
    if (common::is_valid_property_name(key))
      put(std::string(kPropertyPrefix) + common::http::to_lower(key), value);
  put("ETag", image.checksum);
}

nlohmann::json image_to_api_json(const common::Image& image) {
  auto j = common::image_to_json(image);
  j.erase("location");
  j.erase("location_data");
  return j;
}

}  // namespace glance::api
