#pragma once

#include "common/http/router.h"
#include "registry/db/db_executor.h"
#include "registry/scrub_repository.h"

namespace glance::registry {

// glance-scrubber's routes, admin only (not in upstream's registry API, whose scrubber wrote
// to the database itself; here the registry alone touches MySQL):
//   PUT /images/{id}/scrubber/claim   {"lease": seconds}     → {"image": …}
//   PUT /images/{id}/scrubber/finish  {"locations": [ids]}   → {"image": …}
//   PUT /images/{id}/scrubber/restore {"lease": seconds}     → {"image": …}
// and for the locations removed from images with delayed_delete (pending_delete rows of an
// image that is not itself pending_delete):
//   GET /scrubber/locations?marker=&limit=                   → {"locations": [{id, image_id,
//                                                                marked_at}, …]}
//   PUT /images/{id}/scrubber/locations/{location_id}/claim  {"lease": seconds}
//                                                            → {"location": {…, "in_use"}}
//   PUT /images/{id}/scrubber/locations/{location_id}/finish {"scrubbed": bool}
//                                                            → {"location": …}
// The images carry only their pending_delete locations (claim, finish) or their live ones
// (restore). See ScrubRepository for the rules. A lost database connection mid-write is
// answered unavailable, never repeated: the scrubber retries on a later pass, by when a claim
// it may have taken has expired. The executor and repository must outlive it.
class ScrubResource {
 public:
  ScrubResource(DbExecutor& db, ScrubRepository& repo) : db_(db), repo_(repo) {}

  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  Reply claim(Request& req);
  Reply finish(Request& req);
  Reply restore(Request& req);
  Reply list_locations(Request& req);
  Reply claim_location(Request& req);
  Reply finish_location(Request& req);

 private:
  DbExecutor& db_;
  ScrubRepository& repo_;
};

void add_scrub_routes(common::http::Router& router, ScrubResource& scrub);

}  // namespace glance::registry
