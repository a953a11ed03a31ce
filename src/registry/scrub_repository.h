#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"
#include "common/scrub_location.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace glance::registry {

class MysqlConnection;

// The registry's side of glance-scrubber. glance-api's delayed delete leaves an image row
// deleted with status pending_delete and its data locations pending_delete; the scrubber
// claims such an image, deletes the data of each location, reports which locations it
// scrubbed, and the image ends `deleted` once none is left pending. Only admins may call
// these (forbidden otherwise). Calls block: run them through DbExecutor. Each commits in one
// transaction on a row lock of the image, so concurrent scrubbers and restores serialize per
// image. Safe for concurrent calls from different threads.
//
// A claim lives in the image's updated_at: glance-api's delete writes it equal to deleted_at,
// a claim moves it past deleted_at, and finishing without deleting every location moves it
// back. A claim older than the scrubber's lease is taken for dead (its scrubber died
// mid-pass), so the image is never lost; a live claim keeps other scrubbers and restores off.
class ScrubRepository {
 public:
  virtual ~ScrubRepository() = default;

  // Claims the pending_delete, deleted image `id` and returns it with its pending_delete
  // locations (only those). conflict when it is not pending_delete or another claim younger
  // than `lease` holds it; not_found when no image has the id. A pending_delete row that is
  // still live (glance-api marked it, then died before deleting the row) is deleted first,
  // as of its mark, and claimed in the same transaction, once its updated_at is older than
  // `lease`; younger, it is left to its glance-api (conflict). A location that a claim of its
  // own younger than `lease` holds (claim_location, taken while the image was live) is left
  // out: the image stays pending_delete until a later claim gets it. Each location returned
  // says, decided in the claim's transaction, whether another live image has its url as an
  // active location (in_use, location_use.h): that data must stay.
  virtual common::Result<common::Image> claim(MysqlConnection& db,
                                              const common::RequestContext& ctx,
                                              const std::string& id,
                                              std::chrono::seconds lease) = 0;
  // Marks the pending_delete locations named in `scrubbed` deleted (their data is gone). With
  // no pending_delete location left the image becomes `deleted`; otherwise the claim is
  // released, so that a later pass retries the rest. Returns the image with the locations
  // still pending. An image already `deleted` is returned as is; conflict for any other
  // status but pending_delete.
  virtual common::Result<common::Image> finish(MysqlConnection& db,
                                               const common::RequestContext& ctx,
                                               const std::string& id,
                                               const std::vector<int64_t>& scrubbed) = 0;
  // Brings a pending_delete image back: status active, row live, its pending_delete
  // locations active, and the properties, members and tags its delete removed live again.
  // conflict when it is not pending_delete ("cannot restore the image from <status> to
  // active ...") or a claim younger than `lease` holds it or one of its pending_delete
  // locations (a scrubber may be deleting its data); not_found when no image has the id.
  virtual common::Result<common::Image> restore(MysqlConnection& db,
                                                const common::RequestContext& ctx,
                                                const std::string& id,
                                                std::chrono::seconds lease) = 0;

  // The locations removed from images that are not pending_delete (those the image's own
  // scrub takes): rows pending_delete, by id after `after`, at most `limit`.
  virtual common::Result<std::vector<common::PendingLocation>> list_pending_locations(
      MysqlConnection& db, const common::RequestContext& ctx, int64_t after, int limit) = 0;
  // Claims the pending_delete location `location_id` of image `image_id` for `lease`, as
  // claim() does an image: its updated_at moves past its deleted_at (the mark). conflict when
  // it is not pending_delete, its image is pending_delete (the image's scrub takes it), or a
  // claim younger than `lease` holds it; not_found when the image has no such location row.
  // The claim says whether a live image has the same url as an active location (in_use).
  virtual common::Result<common::LocationClaim> claim_location(MysqlConnection& db,
                                                               const common::RequestContext& ctx,
                                                               const std::string& image_id,
                                                               int64_t location_id,
                                                               std::chrono::seconds lease) = 0;
  // With `scrubbed` (its data is gone, or not ours to delete) marks the location deleted;
  // otherwise releases the claim so that a later pass retries it. Returns the location. A
  // location already deleted is returned as is; conflict for any other status.
  virtual common::Result<common::ImageLocation> finish_location(MysqlConnection& db,
                                                                const common::RequestContext& ctx,
                                                                const std::string& image_id,
                                                                int64_t location_id,
                                                                bool scrubbed) = 0;
};

}  // namespace glance::registry
