#pragma once

#include "common/http/router.h"
#include "registry/db/db_executor.h"
#include "registry/tag_repository.h"

namespace glance::registry {

// PUT and DELETE /v2/images/{id}/tags/{tag}: one tag added or removed in the registry's own
// transaction, so that glance-api never reads, changes and writes back a tag list (two
// concurrent adds would lose one). Not in upstream's registry API, whose v2 went through an
// RPC endpoint. Both answer 204. PUT takes glance-api's image_tag_quota in an
// X-Image-Tag-Quota header (a count; absent means no limit) and answers 413 past it; DELETE
// answers 404 when the image does not have the tag. Safe for concurrent requests; the
// executor and repository must outlive it.
class TagsResource {
 public:
  TagsResource(DbExecutor& db, TagRepository& repo) : db_(db), repo_(repo) {}

  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  Reply add(Request& req);
  Reply remove(Request& req);

 private:
  DbExecutor& db_;
  TagRepository& repo_;
};

void add_tag_routes(common::http::Router& router, TagsResource& tags);

}  // namespace glance::registry
