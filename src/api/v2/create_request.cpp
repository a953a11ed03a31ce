#include "api/v2/create_request.h"

#include "common/image_id.h"
#include "common/image_validation.h"

#include <algorithm>
#include <array>

namespace glance::api::v2 {

using common::Error;
using common::Result;
using nlohmann::json;

namespace {
constexpr std::array<const char*, 4> kDisallowed = {"direct_url", "self", "file", "schema"};
constexpr std::array<const char*, 8> kReadOnly = {"created_at", "updated_at",   "status",
                                                  "checksum",   "os_hash_algo", "os_hash_value",
                                                  "size",       "virtual_size"};
constexpr std::array<const char*, 3> kReserved = {"locations", "deleted", "deleted_at"};
constexpr size_t kMaxPropertyNameChars = 255;

// Characters of UTF-8 text (the JSON parser refused anything else).
size_t chars_of(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A value as Python's repr shows it in jsonschema's messages.
std::string py_repr(const json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_string()) return "'" + v.get<std::string>() + "'";
  return v.dump();
}

std::string py_list(const std::vector<std::string>& items, bool with_none) {
  std::string out = with_none ? "[None" : "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", '" : "'") + i + "'";
  return out + "]";
}

Error schema_error(const std::string& reason) {
  return Error::bad_request("Provided object does not match schema 'image': " + reason);
}

enum class Type { string, nullable_string, integer, nullable_integer, boolean, string_array };

struct Rule {
  const char* key;
  Type type;
  size_t max_length = 0;  // 0: none
};

constexpr Rule kRules[] = {
    {"id", Type::string},
    {"name", Type::nullable_string, 255},
    {"status", Type::string},
    {"visibility", Type::string},
    {"protected", Type::boolean},
    {"os_hidden", Type::boolean},
    {"checksum", Type::nullable_string, 32},
    {"os_hash_algo", Type::nullable_string, 64},
    {"os_hash_value", Type::nullable_string, 128},
    {"owner", Type::nullable_string, 255},
    {"size", Type::nullable_integer},
    {"virtual_size", Type::nullable_integer},
    {"container_format", Type::nullable_string},
    {"disk_format", Type::nullable_string},
    {"created_at", Type::string},
    {"updated_at", Type::string},
    {"tags", Type::string_array},
    {"min_ram", Type::integer},
    {"min_disk", Type::integer},
};

const char* type_words(Type t) {
  switch (t) {
    case Type::string:
      return "'string'";
    case Type::nullable_string:
      return "'null', 'string'";
    case Type::integer:
      return "'integer'";
    case Type::nullable_integer:
      return "'null', 'integer'";
    case Type::boolean:
      return "'boolean'";
    case Type::string_array:
      return "'array'";
  }
  return "";
}

bool type_matches(const json& v, Type t) {
  switch (t) {
    case Type::string:
      return v.is_string();
    case Type::nullable_string:
      return v.is_null() || v.is_string();
    case Type::integer:
      return v.is_number_integer();
    case Type::nullable_integer:
      return v.is_null() || v.is_number_integer();
    case Type::boolean:
      return v.is_boolean();
    case Type::string_array:
      return v.is_array();
  }
  return false;
}

Result<void> check_length(const json& v, size_t max_length) {
  if (max_length == 0 || !v.is_string()) return {};
  if (chars_of(v.get_ref<const std::string&>()) > max_length)
    return schema_error(py_repr(v) + " is too long");
  return {};
}

Result<void> check_enum(const json& v, const std::vector<std::string>& allowed, bool with_none) {
  if (v.is_null() && with_none) return {};
  if (v.is_string() &&
      std::find(allowed.begin(), allowed.end(), v.get<std::string>()) != allowed.end())
    return {};
  return schema_error(py_repr(v) + " is not one of " + py_list(allowed, with_none));
}

Result<void> check_rule(const Rule& rule, const json& v, const common::ImageFormats& formats) {
  if (!type_matches(v, rule.type))
    return schema_error(py_repr(v) + " is not of type " + type_words(rule.type));
  if (auto r = check_length(v, rule.max_length); !r) return r;
  const std::string key = rule.key;
  if (key == "tags")
    for (const auto& t : v) {
      if (!t.is_string()) return schema_error(py_repr(t) + " is not of type 'string'");
      if (auto r = check_length(t, 255); !r) return r;
    }
  if (key == "visibility")
    return check_enum(v, {"community", "public", "private", "shared"}, false);
  if (key == "container_format") return check_enum(v, formats.container_formats, true);
  if (key == "disk_format") return check_enum(v, formats.disk_formats, true);
  if (key == "id" && !common::is_uuid_like(v.get<std::string>()))
    return schema_error(py_repr(v) +
                        " does not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                        "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'");
  return {};
}

const Rule* rule_for(const std::string& key) {
  for (const auto& r : kRules)
    if (key == r.key) return &r;
  return nullptr;
}

}  // namespace

namespace {
// An item of "locations": {"url": string of at most 255 characters, "metadata": object}.
Result<void> check_location_item(const json& item) {
  if (!item.is_object()) return schema_error(py_repr(item) + " is not of type 'object'");
  const auto url = item.find("url");
  if (url != item.end() && !url->is_string())
    return schema_error(py_repr(*url) + " is not of type 'string'");
  if (url != item.end())
    if (auto r = check_length(*url, 255); !r) return r;
  const auto metadata = item.find("metadata");
  if (metadata != item.end() && !metadata->is_object())
    return schema_error(py_repr(*metadata) + " is not of type 'object'");
  for (const char* required : {"url", "metadata"})
    if (!item.contains(required))
      return schema_error(std::string("'") + required + "' is a required property");
  return {};
}
}  // namespace

Result<void> validate_image_schema(const json& body, const common::ImageFormats& formats) {
  if (!body.is_object()) return schema_error(py_repr(body) + " is not of type 'object'");
  for (const auto& [key, v] : body.items()) {
    if (const Rule* rule = rule_for(key)) {
      if (auto r = check_rule(*rule, v, formats); !r) return r;
    } else if (key == "locations") {
      if (!v.is_array()) return schema_error(py_repr(v) + " is not of type 'array'");
      for (const auto& item : v)
        if (auto r = check_location_item(item); !r) return r;
    } else if (!v.is_string()) {
      return schema_error(py_repr(v) + " is not of type 'string'");
    }
  }
  return {};
}

namespace {
common::ImageFields fields_of(const json& body) {
  common::ImageFields f;
  f.status = common::ImageStatus::queued;
  f.visibility = body.value("visibility", std::string("shared"));
  f.is_protected = body.value("protected", false);
  f.os_hidden = body.value("os_hidden", false);
  f.min_disk = body.value("min_disk", int64_t{0});
  f.min_ram = body.value("min_ram", int64_t{0});
  auto nullable = [&](const char* key) -> common::ImageFields::Nullable<std::string> {
    if (!body.contains(key)) return std::nullopt;
    const auto& v = body[key];
    return v.is_null() ? std::optional<std::string>() : v.get<std::string>();
  };
  f.name = nullable("name");
  f.disk_format = nullable("disk_format");
  f.container_format = nullable("container_format");
  f.owner = nullable("owner");
  if (body.contains("id")) f.id = body["id"].get<std::string>();
  std::vector<std::string> tags;
  for (const auto& t : body.value("tags", json::array())) tags.push_back(t.get<std::string>());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  f.tags = std::move(tags);
  common::ImageProperties props;
  for (const auto& [key, v] : body.items())
    if (!rule_for(key)) props[key] = v.get<std::string>();
  f.properties = std::move(props);
  return f;
}
}  // namespace

Result<common::ImageFields> parse_create_request(const json& body,
                                                 const common::ImageFormats& formats,
                                                 int64_t property_quota) {
  if (body.is_object())
    for (const char* key : kDisallowed)
      if (body.contains(key))
        return Error::forbidden(std::string("Attribute '") + key + "' is read-only.");
  if (auto r = validate_image_schema(body, formats); !r) return r.error();
  for (const auto& [key, v] : body.items())
    if (!rule_for(key) && chars_of(key) > kMaxPropertyNameChars)
      return Error::bad_request("Custom property should not be greater than 255 characters.");
  for (const char* key : kReadOnly)
    if (body.contains(key))
      return Error::forbidden(std::string("Attribute '") + key + "' is read-only.");
  for (const char* key : kReserved)
    if (body.contains(key))
      return Error::forbidden(std::string("Attribute '") + key + "' is reserved.");
  // Worded as upstream's domain model words them (the registry has its own wording).
  for (const char* key : {"min_disk", "min_ram"})
    if (body.contains(key) && body[key].get<int64_t>() < 0)
      return Error::bad_request("Invalid value '" + std::to_string(body[key].get<int64_t>()) +
                                "' for parameter '" + key + "': Cannot be a negative value");
  auto fields = fields_of(body);
  const auto count = static_cast<int64_t>(fields.properties->size());
  if (property_quota >= 0 && count > property_quota)
    return Error::payload_too_large(
        "The limit has been exceeded on the number of allowed image properties. Attempted: " +
        std::to_string(count) + ", Maximum: " + std::to_string(property_quota));
  if (auto r = common::validate_image_fields(fields); !r) return r.error();
  return fields;
}

}  // namespace glance::api::v2
