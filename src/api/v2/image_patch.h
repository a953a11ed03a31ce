#pragma once

#include "api/property_protection_file.h"
#include "common/error.h"
#include "common/image.h"
#include "common/image_formats.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::api::v2 {

// The two media types of PATCH /v2/images/{id}: v2.0 writes an operation as
// {"replace": "/name", "value": ...}, v2.1 as {"op": "replace", "path": "/name", "value": ...};
// v2.0's add of a present attribute is 409, v2.1's replaces it.
enum class PatchDialect { v2_0, v2_1 };

// The dialect a Content-Type names (parameters such as charset ignored); nullopt for any other
// type, which the api answers 415.
std::optional<PatchDialect> patch_dialect(std::string_view content_type);

// The Accept-Patch header of that 415: both media types.
inline constexpr std::string_view kAcceptPatch =
    "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch";

enum class PatchOp { add, remove, replace };

// One checked operation: `path` is the decoded JSON pointer ("~1" is "/", "~0" is "~"), one
// token, or two for an add or remove of "/locations/<pos>". `value` is null for a remove.
struct PatchChange {
  PatchOp op = PatchOp::replace;
  std::vector<std::string> path;
  nlohmann::json value;
  PatchDialect dialect = PatchDialect::v2_1;
};

// The parsed body (any JSON value) of a PATCH, checked in upstream's order, operation by
// operation: not an array, 400 "Request body must be a JSON array of operation objects.";
// an operation that is not an object, 400; a missing or unknown op, a missing path, a pointer
// that is not "/token" (adjacent or trailing "/", a "~" not in an escape), a path of the wrong
// depth, a missing value: 400; a read-only attribute (id, status, checksum, size, ...,
// self, file, schema, direct_url) 403 "Attribute 'x' is read-only."; a reserved one (location,
// deleted, deleted_at) 403 "Attribute 'x' is reserved."; a value the image schema refuses
// (the same validator as POST's) 400. Pure function.
common::Result<std::vector<PatchChange>> parse_image_patch(const nlohmann::json& body,
                                                           PatchDialect dialect,
                                                           const common::ImageFormats& formats);

// What the caller may do, decided outside (the authorizer, property protections, quotas).
struct PatchPermissions {
  bool is_admin = false;
  // Whether the caller may change the image at all (its owner, or an admin); otherwise the
  // first change is 403 "You are not permitted to modify 'x' on this image.".
  bool image_mutable = true;
  // Property protections for additional properties; null allows everything. A property the
  // caller may not read is invisible: replacing or removing it is 409, and it is kept.
  std::function<bool(const std::string& property, PropertyOperation op)> property_allowed;
  // publicize_image / communitize_image for a change of visibility to public / community;
  // null allows every visibility.
  std::function<common::Result<void>(const std::string& visibility)> visibility_allowed;
  // modify_image, asked once all changes applied (not for an empty patch); null allows.
  std::function<common::Result<void>()> may_save;
  // show_multiple_locations: changes of /locations are left to image_locations.h instead of
  // refused.
  bool locations_visible = false;
  int64_t property_quota = -1;  // image_property_quota; negative: no limit
  int64_t tag_quota = -1;       // image_tag_quota; negative: no limit
};

// The checks POST /v2/images shares with a patch, in upstream's words: 403 "Attribute 'x' is
// reserved." for a property the protections do not let the caller create; 413 for more tags
// than `quota` (negative: no limit), counted as given.
common::Error reserved_property(std::string_view property);
common::Result<void> check_tag_quota(size_t tags, int64_t quota);

// The one registry update a patch makes.
struct ImageUpdate {
  // Only the attributes the patch set; `properties` when any additional property changed.
  common::ImageFields fields;
  // True when the patch removed a property: then `properties` is the whole set to keep (the
  // properties the caller may not read included unchanged), to write with purge. Otherwise
  // it holds only the properties added or replaced, so that a concurrent writer's other
  // properties survive.
  bool purge = false;
};

// Applies `changes` to `current` in order, as upstream's images controller does, and answers
// the ImageUpdate that makes the result. Faults, at the first offending
// change: a base attribute removed 403 "Property x may not be removed."; an additional
// property replaced or removed that does not exist 409 "Property x does not exist."; v2.0's add
// of a present one 409 "Property x already present."; the owner replaced by a non-admin 403;
// disk or container format changed on an image that is not queued 403; a negative min_ram or
// min_disk 400; a protected property 403 "Attribute 'x' is reserved."; more tags than the
// quota 413; locations 403 unless `locations_visible`; after all changes, more properties than
// the quota when the patch added one, 413. Nothing is applied on a fault. Pure function.
common::Result<ImageUpdate> apply_image_patch(const common::Image& current,
                                              const std::vector<PatchChange>& changes,
                                              const PatchPermissions& permissions);

}  // namespace glance::api::v2
