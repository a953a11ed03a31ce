#pragma once

#include "common/clock.h"
#include "common/http/router.h"
#include "registry/db/db_executor.h"
#include "registry/member_repository.h"

namespace glance::registry {

// The registry's routes for Glance v2's image members, with status. Answers
// {"members": [...]} and {"member": {...}} (common/image_membership.h). The rules are those of
// MemberRepository's v2 methods; glance-api checks upstream's order and policy before it asks.
// Listing, showing and removing do not look at the image's visibility, as upstream's database
// does not: glance-api refuses every member route of an image that is not shared.
// Safe for concurrent requests; the executor and repository must outlive it.
class V2MembersResource {
 public:
  // `clock` dates new memberships; it must outlive the resource.
  V2MembersResource(DbExecutor& db, MemberRepository& repo, const common::Clock& clock)
      : db_(db), repo_(repo), clock_(clock) {}

  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  Reply index(Request& req);  // GET /v2/images/{image_id}/members
  // POST /v2/images/{image_id}/members, body {"member": "<id>"}, image_member_quota in
  // X-Image-Member-Quota as for v1's member writes: 200 with the new member.
  Reply create(Request& req);
  Reply show(Request& req);  // GET /v2/images/{image_id}/members/{member}
  // PUT /v2/images/{image_id}/members/{member}, body {"status": "pending|accepted|rejected"}.
  Reply update(Request& req);
  Reply remove(Request& req);  // DELETE /v2/images/{image_id}/members/{member}: 204

 private:
  DbExecutor& db_;
  MemberRepository& repo_;
  const common::Clock& clock_;
};

void add_v2_member_routes(common::http::Router& router, V2MembersResource& members);

}  // namespace glance::registry
