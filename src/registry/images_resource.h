#pragma once

#include "common/http/router.h"
#include "common/image_id.h"
#include "registry/db/db_executor.h"
#include "registry/image_repository.h"

namespace glance::registry {

// The /images routes of the Registry API v1: JSON in, JSON out. Parses and
// validates input, runs the repository on the DbExecutor, renders the answer. A create
// gets its id here, before the write, so that a lost connection can be resolved by looking
// for that id. Safe for concurrent requests; the executor, repository and id generator must
// outlive it.
//
// With `v2`, the same routes under /v2 (not in upstream's registry API, whose v2 went through
// an RPC endpoint): images also carry `visibility`, `os_hidden` and `tags`, writes may set
// them, and lists follow Glance v2 (parse_v2_list_query). The v1 routes never see them.
class ImagesResource {
 public:
  ImagesResource(DbExecutor& db, ImageRepository& repo, common::IdGenerator& ids,
                 int64_t limit_param_default, int64_t api_limit_max, bool v2 = false)
      : db_(db),
        repo_(repo),
        ids_(ids),
        default_limit_(limit_param_default),
        max_limit_(api_limit_max),
        v2_(v2) {}

  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  Reply index(Request& req);   // brief list
  Reply detail(Request& req);  // full list
  Reply create(Request& req);
  Reply show(Request& req);
  Reply update(Request& req);
  Reply destroy(Request& req);
  Reply usage(Request& req);  // GET /usage/{owner}?exclude_image=ID: {"usage": bytes}
  // PUT /reservations/{id} {"size": bytes, "quota": bytes}: {"reserved": bool, "usage": bytes}
  Reply reserve(Request& req);

 private:
  Reply list(Request& req, bool detail);

  DbExecutor& db_;
  ImageRepository& repo_;
  common::IdGenerator& ids_;
  int64_t default_limit_;
  int64_t max_limit_;
  bool v2_;
};

void add_image_routes(common::http::Router& router, ImagesResource& images);
// /v2/images, /v2/images/detail and /v2/images/{id} on a resource made with `v2`.
void add_v2_image_routes(common::http::Router& router, ImagesResource& images);

}  // namespace glance::registry
