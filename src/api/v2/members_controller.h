#pragma once

#include "api/authorizer.h"
#include "api/registry_client.h"
#include "common/http/router.h"
#include "common/notify/notifier.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>

namespace glance::api::v2 {

// Glance v2's image members (/v2/images/{id}/members[/{member}]), with upstream's checks in
// upstream's order and its texts: the body (member_request.h); read-only 403 for writes; the
// image (404 "Image <id> not found."); only shared images have members (403); then, per
// action, who may act (the owner or an admin adds and removes members, the member itself or
// an admin sets its status, the owner, the member or an admin sees a membership) and the
// policy rules get_members, get_member, add_member, modify_member and delete_member, each
// through `auth`. A membership the caller may not see is 404, as upstream hides it. Adds pass
// image_member_quota to the registry, which counts the image's members in the add's
// transaction (413) and refuses a member already there (409). `registry` must be a client
// whose get() follows v2's visibility (a shared image is visible to its members whatever
// their status). Holds no per-request state; safe for concurrent use; `registry` and `auth`
// must outlive it.
class MembersController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  // `member_quota`: image_member_quota; negative means no limit. `notifier` (may be null) is
  // told image.member.create, .update and .delete, as Glance v2 sends them.
  MembersController(RegistryClient& registry, const Authorizer& auth, int64_t member_quota,
                    common::notify::Notifier* notifier = nullptr)
      : registry_(registry), auth_(auth), member_quota_(member_quota), notifier_(notifier) {}

  Reply index(Request& req);    // GET: {"members": [...], "schema": "/v2/schemas/members"}
  Reply create(Request& req);   // POST {"member": "<id>"}: 200 with the pending member
  Reply show(Request& req);     // GET .../{member}
  Reply update(Request& req);   // PUT .../{member} {"status": "..."}: 200 with the member
  Reply destroy(Request& req);  // DELETE .../{member}: 204

 private:
  // The shared image of the request's {image_id}: 404 when the caller cannot see it, 403
  // when it is not shared.
  boost::asio::awaitable<common::Result<common::Image>> shared_image(Request& req);
  // The membership of {member}, looked up as upstream's _lookup_member: forbidden when the
  // caller is neither the owner, the member nor an admin, or get_member refuses; not_found
  // when there is none.
  boost::asio::awaitable<common::Result<common::ImageMembership>> member_of(
      Request& req, const common::Image& image);

  RegistryClient& registry_;
  const Authorizer& auth_;
  int64_t member_quota_;
  common::notify::Notifier* notifier_;
};

// Registers the routes above on `router`.
void add_member_routes(common::http::Router& router, MembersController& controller);

}  // namespace glance::api::v2
