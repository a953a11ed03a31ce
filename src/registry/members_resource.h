#pragma once

#include "common/http/router.h"
#include "registry/db/db_executor.h"
#include "registry/member_repository.h"

namespace glance::registry {

// The membership routes of the Registry API v1. Safe for concurrent
// requests; the executor and repository must outlive it.
class MembersResource {
 public:
  MembersResource(DbExecutor& db, MemberRepository& repo) : db_(db), repo_(repo) {}

  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  Reply index(Request& req);  // GET /images/{image_id}/members
  // Both PUTs take glance-api's image_member_quota in an X-Image-Member-Quota header (a
  // count; absent means no limit) and answer 413 past it.
  Reply replace_all(Request& req);    // PUT /images/{image_id}/members
  Reply add(Request& req);            // PUT /images/{image_id}/members/{member}
  Reply remove(Request& req);         // DELETE /images/{image_id}/members/{member}
  Reply shared_images(Request& req);  // any /shared-images/{member}

 private:
  DbExecutor& db_;
  MemberRepository& repo_;
};

// The image_member_quota glance-api sends with a member write (X-Image-Member-Quota, a count;
// absent means no limit); bad_request when it is not a count.
common::Result<std::optional<int64_t>> member_quota_of(const common::http::Request& req);

void add_member_routes(common::http::Router& router, MembersResource& members);

}  // namespace glance::registry
