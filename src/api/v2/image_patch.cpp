#include "api/v2/image_patch.h"

#include "api/v2/create_request.h"

#include <algorithm>
#include <array>
#include <set>

namespace glance::api::v2 {

using common::Error;
using common::Result;
using nlohmann::json;

namespace {
constexpr std::array<std::string_view, 13> kReadOnly = {
    "created_at", "updated_at",   "status",     "checksum", "os_hash_algo", "os_hash_value",
    "size",       "virtual_size", "direct_url", "self",     "file",         "schema",
    "id"};
constexpr std::array<std::string_view, 3> kReserved = {"location", "deleted", "deleted_at"};
// The attributes an image has besides its additional properties that a patch may set.
constexpr std::array<std::string_view, 10> kBase = {
    "name",        "visibility", "protected", "os_hidden", "container_format",
    "disk_format", "min_ram",    "min_disk",  "tags",      "owner"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

constexpr std::string_view kWhitespace = " \t\n\r\f\v";

std::string_view strip(std::string_view s) {
  const auto first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

// A JSON value as Python's str() shows it in a message.
std::string py_str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

const char* op_name(PatchOp op) {
  switch (op) {
    case PatchOp::add:
      return "add";
    case PatchOp::remove:
      return "remove";
    case PatchOp::replace:
      return "replace";
  }
  return "";
}

std::optional<PatchOp> op_from(std::string_view s) {
  if (s == "add") return PatchOp::add;
  if (s == "remove") return PatchOp::remove;
  if (s == "replace") return PatchOp::replace;
  return std::nullopt;
}

// Only "/token" pointers, as upstream accepts them.
Result<void> check_pointer(const std::string& p) {
  auto fault = [&p](const std::string& what) {
    return Error::bad_request("Pointer `" + p + "` " + what);
  };
  if (p.empty() || p.front() != '/') return fault("does not start with \"/\".");
  const std::string_view rest = std::string_view(p).substr(1);
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] != '/') continue;
    const auto next = rest.find_first_not_of(kWhitespace, i + 1);
    if (next != std::string_view::npos && rest[next] == '/')
      return fault("contains adjacent \"/\".");
  }
  if (p.size() > 1 && p.back() == '/') return fault("end with \"/\".");
  if (strip(rest) == "/") return fault("does not contains valid token.");
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] == '~' && (i + 1 == p.size() || (p[i + 1] != '0' && p[i + 1] != '1')))
      return fault("contains \"~\" not part of a recognized escape sequence.");
  return {};
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::vector<std::string> decode_pointer(const std::string& p) {
  std::vector<std::string> parts;
  std::string_view rest(p);
  rest.remove_prefix(std::min(rest.find_first_not_of('/'), rest.size()));
  size_t start = 0;
  while (true) {
    const auto slash = rest.find('/', start);
    const std::string_view token = rest.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    std::string decoded = replace_all(replace_all(std::string(token), "~1", "/"), "~0", "~");
    parts.emplace_back(strip(decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

Result<PatchOp> op_of(const json& raw, PatchDialect dialect) {
  if (dialect == PatchDialect::v2_0) {
    std::optional<PatchOp> op;
    for (const char* key : {"add", "remove", "replace"}) {
      if (!raw.contains(key)) continue;
      if (op)
        return Error::bad_request(
            "Operation objects must contain only one member named \"add\", \"remove\", or "
            "\"replace\".");
      op = op_from(key);
    }
    if (!op)
      return Error::bad_request(
          "Operation objects must contain exactly one member named \"add\", \"remove\", or "
          "\"replace\".");
    return *op;
  }
  const auto it = raw.find("op");
  if (it == raw.end() || it->is_null())
    return Error::bad_request(
        "Unable to find `op` in JSON Schema change. It must be one of the following: add, "
        "remove, replace.");
  std::optional<PatchOp> op = it->is_string() ? op_from(it->get<std::string>()) : std::nullopt;
  if (!op)
    return Error::bad_request("Invalid operation: `" + py_str(*it) +
                              "`. It must be one of the following: add, remove, replace.");
  return *op;
}

Result<PatchChange> parse_change(const json& raw, PatchDialect dialect,
                                 const common::ImageFormats& formats) {
  if (!raw.is_object()) return Error::bad_request("Operations must be JSON objects.");
  auto op = op_of(raw, dialect);
  if (!op) return op.error();
  const char* path_key = dialect == PatchDialect::v2_0 ? op_name(*op) : "path";
  const auto p = raw.find(path_key);
  if (p == raw.end()) return Error::bad_request("Unable to find 'path' in JSON Schema change");
  const std::string pointer = p->is_string() ? p->get<std::string>() : py_str(*p);
  if (!p->is_string())
    return Error::bad_request("Pointer `" + pointer + "` does not start with \"/\".");
  if (auto r = check_pointer(pointer); !r) return r.error();

  PatchChange change{*op, decode_pointer(pointer), json(), dialect};
  const std::string& root = change.path.front();
  const size_t depth = root == "locations" && *op != PatchOp::replace ? 2 : 1;
  if (change.path.size() != depth) {
    std::string joined;
    for (size_t i = 0; i < change.path.size(); ++i) joined += (i ? "/" : "") + change.path[i];
    return Error::bad_request("Invalid JSON pointer for this resource: '/" + joined + "'");
  }
  if (*op != PatchOp::remove) {
    const auto v = raw.find("value");
    if (v == raw.end())
      return Error::bad_request(std::string("Operation \"") + op_name(*op) +
                                "\" requires a member named \"value\".");
    change.value = *v;
  }
  if (one_of(kReadOnly, root)) return Error::forbidden("Attribute '" + root + "' is read-only.");
  if (one_of(kReserved, root)) return Error::forbidden("Attribute '" + root + "' is reserved.");
  if (*op == PatchOp::remove) return change;
  json partial = json::object();
  if (change.path.size() == 1)
    partial[root] = change.value;
  else  // an element of an array attribute: /locations/<pos>
    partial[root] = json::array({change.value});
  if (auto r = validate_image_schema(partial, formats); !r) return r.error();
  return change;
}

// The image as a patch changes it.
struct Draft {
  const common::Image& current;
  const PatchPermissions& may;
  common::ImageFields out;
  common::ImageProperties visible, hidden;  // readable and unreadable additional properties
  std::set<std::string> written;            // additional properties added or replaced
  bool removed_property = false;
  bool added_property = false;
};

Error not_permitted(const std::string& attribute) {
  return Error::forbidden("You are not permitted to modify '" + attribute + "' on this image.");
}

Result<void> check_min(const char* param, int64_t value) {
  if (value < 0)
    return Error::bad_request("Invalid value '" + std::to_string(value) + "' for parameter '" +
                              param + "': Cannot be a negative value");
  return {};
}

std::optional<std::string> nullable_string(const json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<std::string>();
}

// Sets a base attribute, through the same checks as upstream's layers, outermost first.
Result<void> set_base(Draft& d, const std::string& key, const json& v) {
  if (!d.may.image_mutable) return not_permitted(key);
  if (key == "name") {
    d.out.name = nullable_string(v);
  } else if (key == "visibility") {
    const auto visibility = v.get<std::string>();
    if (d.may.visibility_allowed)
      if (auto r = d.may.visibility_allowed(visibility); !r) return r;
    d.out.visibility = visibility;
  } else if (key == "protected") {
    d.out.is_protected = v.get<bool>();
  } else if (key == "os_hidden") {
    d.out.os_hidden = v.get<bool>();
  } else if (key == "container_format" || key == "disk_format") {
    if (d.current.status != common::ImageStatus::queued)
      return Error::forbidden("Attribute " + key + " can be only replaced for a queued image.");
    (key == "disk_format" ? d.out.disk_format : d.out.container_format) = nullable_string(v);
  } else if (key == "min_ram" || key == "min_disk") {
    const auto n = v.get<int64_t>();
    if (auto r = check_min(key.c_str(), n); !r) return r;
    (key == "min_ram" ? d.out.min_ram : d.out.min_disk) = n;
  } else if (key == "tags") {
    if (auto r = check_tag_quota(v.size(), d.may.tag_quota); !r) return r;
    std::set<std::string> unique;
    for (const auto& t : v) unique.insert(t.get<std::string>());
    d.out.tags = std::vector<std::string>(unique.begin(), unique.end());
  } else if (key == "owner") {
    d.out.owner = nullable_string(v);
  }
  return {};
}

bool property_allowed(const Draft& d, const std::string& key, PropertyOperation op) {
  return !d.may.property_allowed || d.may.property_allowed(key, op);
}

Result<void> set_property(Draft& d, const std::string& key, const json& v) {
  if (!d.may.image_mutable) return not_permitted(key);
  const bool present = d.visible.contains(key);
  if (!property_allowed(d, key, present ? PropertyOperation::update : PropertyOperation::create))
    return reserved_property(key);
  if (!present) d.added_property = true;
  d.visible[key] = v.get<std::string>();
  d.written.insert(key);
  return {};
}

Result<void> locations_invisible(const Draft& d, PatchOp op) {
  if (d.may.locations_visible) return {};
  const char* verb = op == PatchOp::add ? "add" : op == PatchOp::remove ? "remove" : "update";
  return Error::forbidden(std::string("It's not allowed to ") + verb +
                          " locations if locations are invisible.");
}

Result<void> apply_change(Draft& d, const PatchChange& c) {
  const std::string& key = c.path.front();
  const bool base = one_of(kBase, key);
  switch (c.op) {
    case PatchOp::replace:
      if (key == "locations") {
        if (c.value.is_array() && c.value.empty())
          return Error::forbidden("Cannot set locations to empty list.");
        return locations_invisible(d, c.op);
      }
      if (key == "owner" && !d.may.is_admin)
        return Error::forbidden("Owner can't be updated by non admin.");
      if (base) return set_base(d, key, c.value);
      if (d.visible.contains(key)) return set_property(d, key, c.value);
      return Error::conflict("Property " + key + " does not exist.");
    case PatchOp::add:
      if (key == "locations") return locations_invisible(d, c.op);
      if (c.dialect == PatchDialect::v2_0 && (base || d.visible.contains(key)))
        return Error::conflict("Property " + key + " already present.");
      if (base) return set_base(d, key, c.value);
      return set_property(d, key, c.value);
    case PatchOp::remove:
      if (key == "locations") return locations_invisible(d, c.op);
      if (base) return Error::forbidden("Property " + key + " may not be removed.");
      if (!d.visible.contains(key)) return Error::conflict("Property " + key + " does not exist.");
      if (!d.may.image_mutable) return not_permitted(key);
      if (!property_allowed(d, key, PropertyOperation::remove)) return reserved_property(key);
      d.visible.erase(key);
      d.written.erase(key);
      d.removed_property = true;
      return {};
  }
  return {};
}
}  // namespace

Error reserved_property(std::string_view property) {
  return Error::forbidden("Attribute '" + std::string(property) + "' is reserved.");
}

Result<void> check_tag_quota(size_t tags, int64_t quota) {
  const auto n = static_cast<int64_t>(tags);
  if (quota < 0 || n <= quota) return {};
  return Error::payload_too_large(
      "The limit has been exceeded on the number of allowed image tags. Attempted: " +
      std::to_string(n) + ", Maximum: " + std::to_string(quota));
}

std::optional<PatchDialect> patch_dialect(std::string_view content_type) {
  std::string_view type = strip(content_type.substr(0, content_type.find(';')));
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower == "application/openstack-images-v2.0-json-patch") return PatchDialect::v2_0;
  if (lower == "application/openstack-images-v2.1-json-patch") return PatchDialect::v2_1;
  return std::nullopt;
}

Result<std::vector<PatchChange>> parse_image_patch(const json& body, PatchDialect dialect,
                                                   const common::ImageFormats& formats) {
  if (!body.is_array())
    return Error::bad_request("Request body must be a JSON array of operation objects.");
  std::vector<PatchChange> changes;
  changes.reserve(body.size());
  for (const auto& raw : body) {
    auto change = parse_change(raw, dialect, formats);
    if (!change) return change.error();
    changes.push_back(std::move(*change));
  }
  return changes;
}

Result<ImageUpdate> apply_image_patch(const common::Image& current,
                                      const std::vector<PatchChange>& changes,
                                      const PatchPermissions& permissions) {
  Draft d{current, permissions, {}, {}, {}, {}};
  for (const auto& [key, value] : current.properties)
    (property_allowed(d, key, PropertyOperation::read) ? d.visible : d.hidden)[key] = value;
  for (const auto& c : changes)
    if (auto r = apply_change(d, c); !r) return r.error();
  if (!changes.empty() && permissions.may_save)
    if (auto r = permissions.may_save(); !r) return r.error();
  ImageUpdate update{std::move(d.out), d.removed_property};
  if (!d.removed_property && d.written.empty()) return update;
  // A property the caller may create but not read is written over, as upstream's.
  common::ImageProperties all = d.visible;
  all.insert(d.hidden.begin(), d.hidden.end());
  const auto count = static_cast<int64_t>(all.size());
  if (d.added_property && permissions.property_quota >= 0 && count > permissions.property_quota)
    return Error::payload_too_large(
        "The limit has been exceeded on the number of allowed image properties. Attempted: " +
        std::to_string(count) + ", Maximum: " + std::to_string(permissions.property_quota));
  if (update.purge) {
    update.fields.properties = std::move(all);
  } else {
    common::ImageProperties written;
    for (const auto& key : d.written) written[key] = d.visible.at(key);
    update.fields.properties = std::move(written);
  }
  return update;
}

}  // namespace glance::api::v2
