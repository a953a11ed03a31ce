#include "common/image_validation.h"

#include "common/clock.h"
#include "common/image_id.h"
#include "common/utf8.h"

#include <optional>
#include <string>

namespace glance::common {

namespace {

// Characters in `s` when it is header-safe UTF-8 (no control character but tab), else nothing.
std::optional<size_t> safe_text_length(std::string_view s) {
  if (!is_valid_utf8(s)) return std::nullopt;
  size_t chars = 0;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return std::nullopt;
    if ((c & 0xC0) != 0x80) ++chars;  // a continuation byte adds no character
  }
  return chars;
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Error invalid(std::string_view field, std::string_view why) {
  return Error::bad_request("Invalid value for '" + std::string(field) + "': " + std::string(why) +
                            ".");
}

// A text field: header-safe UTF-8 of min_chars to max_chars characters.
Result<void> check_text(std::string_view field, std::string_view value, size_t min_chars,
                        size_t max_chars) {
  auto chars = safe_text_length(value);
  if (!chars) return invalid(field, "must be UTF-8 text without control characters");
  if (*chars < min_chars || *chars > max_chars)
    return invalid(field, "must be " + std::to_string(min_chars) + " to " +
                              std::to_string(max_chars) + " characters long");
  return {};
}

Result<void> check_nullable_text(std::string_view field,
                                 const ImageFields::Nullable<std::string>& value, size_t min_chars,
                                 size_t max_chars) {
  if (!value || !*value) return {};
  return check_text(field, **value, min_chars, max_chars);
}

Result<void> check_not_negative(std::string_view field, const ImageFields::Nullable<int64_t>& v) {
  if (v && *v && **v < 0) return invalid(field, "cannot be a negative value");
  return {};
}

Result<void> check_min_requirement(std::string_view field, const std::optional<int64_t>& v) {
  if (!v) return {};
  if (*v < 0) return invalid(field, "cannot be a negative value");
  // Worded as the registry always has, which clients may match on.
  if (*v > kMaxMinDiskOrRam)
    return Error::bad_request("'" + std::string(field) +
                              "' value out of range, must not exceed 2147483647.");
  return {};
}

Result<void> check_timestamp(std::string_view field, const ImageFields::Nullable<std::string>& v) {
  if (v && *v && !parse_iso8601(**v))
    return Error::bad_request("Invalid time format for " + std::string(field) + ".");
  return {};
}

Result<void> check_digests(const ImageFields& f) {
  if (f.checksum && *f.checksum && ((*f.checksum)->size() != 32 || !is_hex(**f.checksum)))
    return invalid("checksum", "must be an MD5 digest of 32 hex digits");
  if (f.os_hash_algo && *f.os_hash_algo) {
    const std::string& algo = **f.os_hash_algo;
    bool plain = !algo.empty() && algo.size() <= kMaxHashAlgoChars;
    for (char c : algo)
      plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
    if (!plain) return invalid("os_hash_algo", "must be 1 to 64 of a-z, 0-9, '_' and '-'");
  }
  if (f.os_hash_value && *f.os_hash_value) {
    const std::string& value = **f.os_hash_value;
    if (value.empty() || value.size() > kMaxHashValueChars || !is_hex(value))
      return invalid("os_hash_value", "must be 1 to 128 hex digits");
  }
  return {};
}

Result<void> check_properties(const ImageProperties& properties) {
  for (const auto& [name, value] : properties) {
    // The name is not quoted: a refused one may hold anything.
    if (!is_valid_property_name(name))
      return Error::bad_request(
          "Invalid property name: 1 to 255 letters, digits or !#$%&'*+-.^_`|~ expected.");
    if (value && (value->size() > kMaxTextColumnBytes || !safe_text_length(*value)))
      return Error::bad_request("Invalid value for property '" + name +
                                "': at most 65535 bytes of UTF-8 text without control "
                                "characters expected.");
  }
  return {};
}

Result<void> check_locations(const std::vector<ImageLocation>& locations) {
  for (const auto& l : locations) {
    if (auto r = validate_location_url(l.url); !r) return r;
    if (l.status != "active" && l.status != "pending_delete" && l.status != "deleted")
      return invalid("location_data", "a location status is active, pending_delete or deleted");
    if (!l.metadata.is_object() ||
        l.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size() >
            kMaxTextColumnBytes)
      return invalid("location_data",
                     "location metadata must be an object of at most 65535 "
                     "bytes of JSON");
  }
  return {};
}

}  // namespace

bool is_valid_property_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxPropertyNameChars) return false;
  for (char c : name)
    if (!is_token_char(c)) return false;
  return true;
}

bool is_header_safe_value(std::string_view value) {
  return safe_text_length(value).has_value();
}

Result<void> validate_location_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxTextColumnBytes || !safe_text_length(url))
    return invalid("location", "a location is 1 to 65535 bytes of text without control characters");
  return {};
}

namespace {
// The tag column holds 255 characters, as upstream's schema allows.
constexpr size_t kMaxTagChars = 255;

Result<void> check_v2_fields(const ImageFields& f) {
  if (f.visibility && *f.visibility != "private" && *f.visibility != "public" &&
      *f.visibility != "shared" && *f.visibility != "community")
    return Error::bad_request("Invalid visibility value: " + *f.visibility);
  if (f.tags)
    for (const auto& t : *f.tags)
      if (auto n = safe_text_length(t); !n || *n == 0 || *n > kMaxTagChars)
        return Error::bad_request("Invalid tag: a tag has 1 to 255 characters.");
  return {};
}
}  // namespace

Result<void> validate_image_fields(const ImageFields& f) {
  if (f.id && !is_uuid_like(*f.id)) return Error::bad_request("Invalid image id format");
  for (auto [field, value] :
       {std::pair{"size", &f.size}, std::pair{"virtual_size", &f.virtual_size}})
    if (auto r = check_not_negative(field, *value); !r) return r;
  for (auto [field, value] : {std::pair{"min_disk", &f.min_disk}, std::pair{"min_ram", &f.min_ram}})
    if (auto r = check_min_requirement(field, *value); !r) return r;
  struct TextRule {
    const char* field;
    const ImageFields::Nullable<std::string>* value;
    size_t min_chars, max_chars;
  };
  for (const TextRule& t : {TextRule{"name", &f.name, 0, kMaxImageNameChars},
                            TextRule{"owner", &f.owner, 0, kMaxOwnerChars},
                            TextRule{"disk_format", &f.disk_format, 1, kMaxFormatChars},
                            TextRule{"container_format", &f.container_format, 1, kMaxFormatChars}})
    if (auto r = check_nullable_text(t.field, *t.value, t.min_chars, t.max_chars); !r) return r;
  if (auto r = check_digests(f); !r) return r;
  for (auto [field, value] :
       {std::pair{"created_at", &f.created_at}, std::pair{"updated_at", &f.updated_at},
        std::pair{"deleted_at", &f.deleted_at}})
    if (auto r = check_timestamp(field, *value); !r) return r;
  if (f.properties)
    if (auto r = check_properties(*f.properties); !r) return r;
  if (auto r = check_v2_fields(f); !r) return r;
  if (f.locations)
    if (auto r = check_locations(*f.locations); !r) return r;
  return {};
}

void drop_system_fields(ImageFields& fields) {
  fields.deleted.reset();
  fields.deleted_at.reset();
  fields.created_at.reset();
  fields.updated_at.reset();
}

}  // namespace glance::common
