#pragma once

#include "api/authorizer.h"
#include "api/registry_client.h"
#include "common/error.h"
#include "common/http/router.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>

namespace glance::api {

// The /v1 member routes: who an image is shared with, and which images are shared
// with a member. Checks what upstream's api checks before the registry (through `auth`:
// read-only 403, no owner 401, the get_members, modify_member and delete_member rules; then
// image missing or deleted 404, a member list longer than image_member_quota 413) and leaves
// sharing permission to the registry, whose refusal (403) it reports as 404 as upstream does.
// The registry also enforces image_member_quota, which the api passes on each member write,
// counting the image's members in the write's transaction (413). Holds no per-request state;
// safe for concurrent use. `registry` and `auth` must outlive it.
class MembersController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  // `member_quota`: image_member_quota, the most members one image may have; negative means
  // no limit.
  MembersController(RegistryClient& registry, const Authorizer& auth, int64_t member_quota)
      : registry_(registry), auth_(auth), member_quota_(member_quota) {}

  Reply index(Request& req);          // GET /v1/images/{image_id}/members
  Reply replace_all(Request& req);    // PUT /v1/images/{image_id}/members
  Reply add(Request& req);            // PUT /v1/images/{image_id}/members/{member}
  Reply remove(Request& req);         // DELETE /v1/images/{image_id}/members/{member}
  Reply shared_images(Request& req);  // any method on /v1/shared-images/{member}

 private:
  // The image of the request's {image_id}, not found when it is missing or deleted.
  boost::asio::awaitable<common::Result<common::Image>> live_image(Request& req,
                                                                   const Caller& caller);
  // payload_too_large when an image would have `attempted` members.
  common::Result<void> check_quota(int64_t attempted) const;
  // image_member_quota as the registry takes it: nullopt for no limit.
  std::optional<int64_t> quota() const;

  RegistryClient& registry_;
  const Authorizer& auth_;
  int64_t member_quota_;
};

// Registers the /v1 member routes, with their 405 answers, on `router`.
void add_member_routes(common::http::Router& router, MembersController& controller);

}  // namespace glance::api
