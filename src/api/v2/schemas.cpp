#include "api/v2/schemas.h"

#include <nlohmann/json.hpp>

namespace glance::api::v2 {

namespace {
using Json = nlohmann::ordered_json;

// Upstream's image base properties (Rocky, with os_hidden and multihash); the format enums
// are filled in from the configuration.
constexpr const char* kImageProperties = R"json({
  "id": {"type": "string", "description": "An identifier for the image",
         "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
  "name": {"type": ["null", "string"], "description": "Descriptive name for the image",
           "maxLength": 255},
  "status": {"type": "string", "readOnly": true, "description": "Status of the image",
             "enum": ["queued", "saving", "active", "killed", "deleted", "uploading",
                      "importing", "pending_delete", "deactivated"]},
  "visibility": {"type": "string", "description": "Scope of image accessibility",
                 "enum": ["community", "public", "private", "shared"]},
  "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
  "os_hidden": {"type": "boolean",
                "description": "If true, image will not appear in default image list response."},
  "checksum": {"type": ["null", "string"], "readOnly": true,
               "description": "md5 hash of image contents.", "maxLength": 32},
  "os_hash_algo": {"type": ["null", "string"], "readOnly": true,
                   "description": "Algorithm to calculate the os_hash_value", "maxLength": 64},
  "os_hash_value": {"type": ["null", "string"], "readOnly": true,
                    "description": "Hexdigest of the image contents using the algorithm specified by the os_hash_algo",
                    "maxLength": 128},
  "owner": {"type": ["null", "string"], "description": "Owner of the image", "maxLength": 255},
  "size": {"type": ["null", "integer"], "readOnly": true,
           "description": "Size of image file in bytes"},
  "virtual_size": {"type": ["null", "integer"], "readOnly": true,
                   "description": "Virtual size of image in bytes"},
  "container_format": {"type": ["null", "string"], "description": "Format of the container",
                       "enum": []},
  "disk_format": {"type": ["null", "string"], "description": "Format of the disk", "enum": []},
  "created_at": {"type": "string", "readOnly": true,
                 "description": "Date and time of image registration"},
  "updated_at": {"type": "string", "readOnly": true,
                 "description": "Date and time of the last image modification"},
  "tags": {"type": "array", "description": "List of strings related to the image",
           "items": {"type": "string", "maxLength": 255}},
  "direct_url": {"type": "string", "readOnly": true,
                 "description": "URL to access the image file kept in external store"},
  "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
  "min_disk": {"type": "integer",
               "description": "Amount of disk space (in GB) required to boot image."},
  "self": {"type": "string", "readOnly": true, "description": "An image self url"},
  "file": {"type": "string", "readOnly": true, "description": "An image file url"},
  "schema": {"type": "string", "readOnly": true, "description": "An image schema url"},
  "locations": {"type": "array",
                "items": {"type": "object",
                          "properties": {"url": {"type": "string", "maxLength": 255},
                                         "metadata": {"type": "object"}},
                          "required": ["url", "metadata"]},
                "description": "A set of URLs to access the image file kept in external store"}
})json";

constexpr const char* kMemberProperties = R"json({
  "member_id": {"type": "string",
                "description": "An identifier for the image member (tenantId)"},
  "image_id": {"type": "string", "description": "An identifier for the image",
               "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
  "created_at": {"type": "string", "description": "Date and time of image member creation"},
  "updated_at": {"type": "string",
                 "description": "Date and time of last modification of image member"},
  "status": {"type": "string", "description": "The status of this image member",
             "enum": ["pending", "accepted", "rejected"]},
  "schema": {"readOnly": true, "type": "string"}
})json";

Json format_enum(const std::vector<std::string>& formats) {
  Json e = Json::array({nullptr});
  for (const auto& f : formats) e.push_back(f);
  return e;
}

// glance.schema.CollectionSchema.raw()
Json collection(const std::string& name, Json item) {
  return Json{{"name", name},
              {"properties",
               {{name, {{"type", "array"}, {"items", std::move(item)}}},
                {"first", {{"type", "string"}}},
                {"next", {{"type", "string"}}},
                {"schema", {{"type", "string"}}}}},
              {"links", Json::array({{{"rel", "first"}, {"href", "{first}"}},
                                     {{"rel", "next"}, {"href", "{next}"}},
                                     {{"rel", "describedby"}, {"href", "{schema}"}}})}};
}
}  // namespace

SchemaDocuments::SchemaDocuments(const common::ImageFormats& formats) {
  Json properties = Json::parse(kImageProperties);
  properties["container_format"]["enum"] = format_enum(formats.container_formats);
  properties["disk_format"]["enum"] = format_enum(formats.disk_formats);
  // glance.schema.PermissiveSchema: additional properties are strings.
  Json image{{"name", "image"},
             {"properties", std::move(properties)},
             {"additionalProperties", {{"type", "string"}}},
             {"links", Json::array({{{"rel", "self"}, {"href", "{self}"}},
                                    {{"rel", "enclosure"}, {"href", "{file}"}},
                                    {{"rel", "describedby"}, {"href", "{schema}"}}})}};
  // The member schemas are served minimal (glance.schema.Schema.minimal() and
  // CollectionSchema.minimal()): no additionalProperties, no first and next links.
  Json member{{"name", "member"}, {"properties", Json::parse(kMemberProperties)}};
  Json members{
      {"name", "members"},
      {"properties",
       {{"members", {{"type", "array"}, {"items", member}}}, {"schema", {{"type", "string"}}}}},
      {"links", Json::array({{{"rel", "describedby"}, {"href", "{schema}"}}})}};
  image_ = image.dump();
  images_ = collection("images", image).dump();
  member_ = member.dump();
  members_ = members.dump();
}

}  // namespace glance::api::v2
