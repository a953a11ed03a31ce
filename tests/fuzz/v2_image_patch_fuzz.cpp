// The body of PATCH /v2/images/{id}: the JSON entry point, the patch parser (the first byte
// picks the media type), then the patch applied to a stored image under quotas and property
// protections.
#include "api/v2/image_patch.h"
#include "common/http/json_body.h"
#include "tests/fuzz/fuzz_check.h"

#include <set>
#include <string>

using glance::fuzz::check;
namespace v2 = glance::api::v2;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto dialect = (data[0] & 1) ? v2::PatchDialect::v2_0 : v2::PatchDialect::v2_1;
  auto body = glance::common::http::parse_json_body(glance::fuzz::as_text(data + 1, size - 1));
  if (!body) return 0;
  glance::common::ImageFormats formats;
  formats.disk_formats = {"raw", "qcow2"};
  formats.container_formats = {"bare"};
  auto changes = v2::parse_image_patch(*body, dialect, formats);
  if (!changes) {
    check(!changes.error().message().empty(), "a refused patch says why");
    return 0;
  }
  static const std::set<std::string> read_only = {
      "id",         "status",       "checksum",      "size",    "virtual_size",
      "created_at", "updated_at",   "self",          "file",    "schema",
      "direct_url", "os_hash_algo", "os_hash_value", "deleted", "deleted_at",
      "location"};
  for (const auto& c : *changes) {
    check(!c.path.empty() && c.path.size() <= 2, "paths are one token, or two for locations");
    check(c.path.size() == 1 || c.path.front() == "locations", "only locations go deeper");
    check(read_only.count(c.path.front()) == 0, "read-only and reserved paths are refused");
  }

  glance::common::Image image;
  image.id = "11111111-2222-3333-4444-555555555555";
  image.owner = "p1";
  image.properties = {{"hidden", "h"}, {"seen", "s"}, {"locked", "l"}};
  v2::PatchPermissions may;
  may.tag_quota = 3;
  may.property_quota = 5;
  may.property_allowed = [](const std::string& key, glance::api::PropertyOperation op) {
    if (key == "hidden") return false;
    if (key == "locked") return op == glance::api::PropertyOperation::read;
    return true;
  };
  auto update = v2::apply_image_patch(image, *changes, may);
  if (!update) {
    check(!update.error().message().empty(), "a refused change says why");
    return 0;
  }
  const auto& fields = update->fields;
  if (fields.tags) check(fields.tags->size() <= 3, "the tag quota holds");
  if (fields.visibility) {
    static const std::set<std::string> visibilities = {"private", "public", "shared", "community"};
    check(visibilities.count(*fields.visibility) == 1, "the visibility is one of four");
  }
  if (fields.min_ram) check(*fields.min_ram >= 0, "min_ram is never negative");
  if (fields.min_disk) check(*fields.min_disk >= 0, "min_disk is never negative");
  check(!fields.owner, "a member never sets the owner by replace");
  check(!update->purge || fields.properties, "a purge names the properties to keep");
  if (fields.properties) {
    const auto& p = *fields.properties;
    for (const char* kept : {"hidden", "locked"}) {
      if (update->purge)
        check(p.count(kept) == 1 && p.at(kept) == image.properties.at(kept),
              "a purge keeps unreadable and protected properties");
      else
        check(p.count(kept) == 0, "unreadable and protected properties are never written");
    }
    for (const auto& [key, value] : p) check(value.has_value(), "property values are strings");
  }
  return 0;
}
