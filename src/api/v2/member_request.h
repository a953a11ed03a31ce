#pragma once

#include "common/error.h"
#include "common/image_membership.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace glance::api::v2 {

// The bodies of Glance v2's member writes, checked as upstream's deserializer checks them,
// with its 400 texts: no body "Body expected in request.", bad JSON as parse_json_body
// words it, a body that is not an object with the key ('Expected a member in the form:
// {"member": "image_id"}' or 'Expected a status in the form: {"status": "status"}'), the key
// missing ("Member to be added not specified", "Status not specified"). Pure functions.

// POST /v2/images/{id}/members: {"member": "<id>"}. A falsy member is "Member can't be
// empty"; one that is not a string, or longer than a member id may be (255 characters), is
// refused like a body of the wrong form.
common::Result<std::string> parse_member_create(std::string_view body);

// PUT /v2/images/{id}/members/{member}: {"status": ...}. The status itself is checked later
// (member_status_of), after the image and member are found, as upstream does.
common::Result<nlohmann::json> parse_member_update(std::string_view body);

// The status a parsed update asks for: bad_request 'Incorrect request: Status must be
// "pending", "accepted" or "rejected".' for anything else.
common::Result<common::MemberStatus> member_status_of(const nlohmann::json& status);

}  // namespace glance::api::v2
