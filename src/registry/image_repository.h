#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"
#include "registry/list_query.h"

#include <optional>
#include <string>
#include <vector>

namespace glance::registry {

class MysqlConnection;

using common::Error;
using common::Result;

// The outcome of ImageRepository::reserve_storage.
struct StorageReservation {
  bool reserved = false;
  int64_t usage = 0;  // the quota owner's bytes besides this image's
};

// The registry's store of image metadata, with Glance's visibility and ownership rules
// applied for the caller's context. Calls block: run them through
// DbExecutor, passing the connection it gives the unit of work. Each write commits in one
// transaction and has a find_* read-back for DbExecutor::write (DbWrite::read_back): given
// the same arguments, it reports whether that write is stored, with a locking read so that
// a commit still in flight is waited for. Implementations must be safe for concurrent calls
// from different threads.
//
// Errors: not_found for a missing or invisible image (never forbidden, so existence does not
// leak); forbidden when a visible public image is not the caller's to change; conflict for
// a duplicate id or a failed compare-and-set; bad_request for invalid values; unavailable
// when the database cannot be reached.
class ImageRepository {
 public:
  virtual ~ImageRepository() = default;

  // Images in list order. `detail` also loads properties and locations.
  virtual Result<std::vector<common::Image>> list(MysqlConnection& db,
                                                  const common::RequestContext& ctx,
                                                  const ListQuery& query, bool detail) = 0;
  virtual Result<common::Image> get(MysqlConnection& db, const common::RequestContext& ctx,
                                    const std::string& id) = 0;
  // `fields.id` must be set (callers pick a new one), so that find_created can look for it.
  virtual Result<common::Image> create(MysqlConnection& db, const common::RequestContext& ctx,
                                       common::ImageFields fields) = 0;
  // The image create(ctx, fields) stored, nullopt if no image has its id; conflict if
  // another image has it.
  virtual Result<std::optional<common::Image>> find_created(MysqlConnection& db,
                                                            const common::RequestContext& ctx,
                                                            const common::ImageFields& fields) = 0;
  // Writes the given fields. `purge_props` soft-deletes properties not in fields.properties;
  // `from_state` makes the write conditional on the current status. An empty owner is no
  // owner; a caller other than an admin who sets the owner must still see the image
  // afterwards, else nothing is written and the answer is not_found. An update that sets the
  // status to deleted or pending_delete (glance-api's delete) answers each location with
  // `in_use`, decided in its transaction (location_use.h); so does find_updated for it.
  virtual Result<common::Image> update(MysqlConnection& db, const common::RequestContext& ctx,
                                       const std::string& id, common::ImageFields fields,
                                       bool purge_props,
                                       std::optional<common::ImageStatus> from_state) = 0;
  // The image if it holds everything update(ctx, id, fields, purge_props, …) writes, else
  // nullopt. An update only sets values, so running it again after nullopt is harmless (its
  // from_state check still applies).
  virtual Result<std::optional<common::Image>> find_updated(MysqlConnection& db,
                                                            const common::RequestContext& ctx,
                                                            const std::string& id,
                                                            const common::ImageFields& fields,
                                                            bool purge_props) = 0;
  // Bytes stored for `owner`: the size of each of its images that is not killed
  // or deleted, times its locations not deleted (a saving image counts once, for the bytes
  // a reservation granted it, and nothing before), leaving out `exclude_image`. Ownerless
  // images whose bytes `owner` reserved count too (see reserve_storage). Callers other than
  // admins may ask only about their own owner id (forbidden otherwise).
  virtual Result<int64_t> storage_usage(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& owner,
                                        const std::string& exclude_image) = 0;
  // user_storage_quota held under concurrency: sets the image, which must be `saving`, to
  // `size` bytes if the quota owner's usage (counting its saving images at their size) plus
  // `size` stays within `quota`; otherwise changes nothing and answers reserved = false.
  // The quota owner is the image's owner, or for an ownerless image the caller's tenant; the
  // image records it, so an ownerless image counts for that tenant from then on, saving or
  // active. Reservations of one quota owner are serialized (a named lock per owner), so
  // concurrent uploads see each other's saving images; a killed image releases its
  // reservation.
  // conflict when the image is not saving.
  virtual Result<StorageReservation> reserve_storage(MysqlConnection& db,
                                                     const common::RequestContext& ctx,
                                                     const std::string& id, int64_t size,
                                                     int64_t quota) = 0;
  // The reservation if the image is saving with `size` bytes reserved for its quota owner
  // (not merely declared), else nullopt.
  virtual Result<std::optional<StorageReservation>> find_reservation(
      MysqlConnection& db, const common::RequestContext& ctx, const std::string& id,
      int64_t size) = 0;
  // Soft-deletes the image with its properties, locations, members and tags.
  virtual Result<common::Image> destroy(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& id) = 0;
  // The deleted image if it is deleted, nullopt if it is still live.
  virtual Result<std::optional<common::Image>> find_destroyed(MysqlConnection& db,
                                                              const common::RequestContext& ctx,
                                                              const std::string& id) = 0;
};

}  // namespace glance::registry
