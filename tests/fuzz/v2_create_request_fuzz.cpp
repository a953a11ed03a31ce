// The body of POST /v2/images: the JSON entry point, then the v2 image rules.
#include "api/v2/create_request.h"
#include "common/http/json_body.h"
#include "tests/fuzz/fuzz_check.h"

#include <set>
#include <string>

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = glance::common::http::parse_json_body(glance::fuzz::as_text(data, size));
  if (!body) return 0;
  auto fields = glance::api::v2::parse_create_request(*body, {}, 128);
  if (!fields) {
    check(!fields.error().message().empty() ||
              fields.error().code() != glance::common::Errc::bad_request,
          "a refused body says why");
    return 0;
  }
  static const std::set<std::string> visibilities = {"private", "public", "shared", "community"};
  check(fields->visibility && visibilities.count(*fields->visibility) == 1,
        "the visibility is one of four");
  check(fields->status == glance::common::ImageStatus::queued, "a new image is queued");
  check(fields->properties && fields->properties->size() <= 128, "the property quota holds");
  static const std::set<std::string> not_properties = {
      "status",     "checksum",  "size",       "virtual_size", "created_at",
      "updated_at", "locations", "deleted",    "deleted_at",   "self",
      "file",       "schema",    "direct_url", "os_hash_algo", "os_hash_value",
      "visibility", "tags",      "owner",      "id",           "name"};
  for (const auto& [key, value] : *fields->properties) {
    check(not_properties.count(key) == 0, "base and read-only keys never become properties");
    check(value.has_value(), "property values are strings");
  }
  return 0;
}
