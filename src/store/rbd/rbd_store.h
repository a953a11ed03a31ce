#pragma once

#include "store/blocking_pool.h"
#include "store/rbd/pending_removals.h"
#include "store/rbd/rados_cluster.h"
#include "store/rbd/rbd_location.h"
#include "store/store.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace glance::store {

// glance_store's rbd driver options ([glance_store]), with Glance Queens's defaults.
struct RbdStoreConfig {
  std::string rbd_store_pool = "images";
  // Empty: librados's default user (client.admin) or what the Ceph configuration names.
  std::string rbd_store_user;
  std::string rbd_store_ceph_conf = "/etc/ceph/ceph.conf";
  // MiB: the RBD object size of new images (rounded down to a power of two, as upstream's
  // order), and how much an image of unknown size first grows by.
  int64_t rbd_store_chunk_size = 8;
  // Seconds; when positive, bounds connecting and every monitor and OSD operation (overriding
  // rbd_store_op_timeout, as later glance_store releases use it). 0 or less: Queens's default,
  // rbd_store_op_timeout applies.
  int64_t rados_connect_timeout = 0;
  // Seconds (ours; upstream has no such option): the same bound when rados_connect_timeout is
  // 0 or less. librados's own defaults wait forever for an OSD or monitor that does not answer,
  // which would hold a pool thread (and the daemon's stop) for as long as Ceph is away. Long
  // enough for a loaded cluster's slowest single operation. 0 or less: librados's defaults.
  int64_t rbd_store_op_timeout = 30;
  bool operator==(const RbdStoreConfig&) const = default;
};

// Image data in Ceph RBD, as glance_store's rbd driver keeps it: one RBD image per Glance image
// in rbd_store_pool, named by the image id, created with the layering feature (plus
// rbd_default_features), with a protected snapshot "snap" from which Nova and Cinder clone
// copy-on-write. Its location is "rbd://<fsid>/<pool>/<id>/snap" (RbdLocation).
//
// An upload writes a private image "<id>-<tag>" (upload_name.h) as the bytes stream in, growing
// it when the size is unknown (doubling the step up to 8 GiB, as upstream), then trims it,
// snapshots and protects "snap", and renames it to "<id>" at commit: the name "<id>" appears
// only complete, and two uploads of one id cannot both commit (the second rename fails with
// conflict, as the file store's link). Reads open the snapshot read-only and stream it in
// chunks with one chunk read ahead; a span reads only its bytes. Delete unprotects and
// removes the snapshot, then the image; an image with clones answers conflict (in use) and
// keeps everything, as upstream's InUseByStore.
//
// Every librados and librbd call runs on `pool`, never on the caller's thread. One librados
// connection is made at first use and shared by all calls; rados_connect_timeout when positive,
// else rbd_store_op_timeout, bounds connecting and every operation, and every wait of an upload
// for its writes and its image's close (which librbd may hold back longer), so a stopped
// cluster fails uploads and downloads with unavailable instead of holding pool threads. A failed
// upload's image that cannot be removed while Ceph is away is retried (PendingRemovals) and,
// failing that, found again by the orphan reaper (image_ids_with_data). Errors: unavailable (Ceph
// cannot be reached or timed out), not_found, conflict (duplicate id, image in use), storage_full
// (pool full or quota), bad_gateway (Ceph refused our user), bad_request (malformed location,
// size mismatch), internal. Safe for concurrent calls.
class RbdStore final : public Store {
 public:
  // Checks the options without contacting Ceph: bad_request for an empty pool or a chunk size
  // outside 1..32 MiB. `pool` must outlive the store and its writers and readers.
  static common::Result<std::unique_ptr<RbdStore>> create(const RbdStoreConfig& config,
                                                          BlockingPool& pool);

  // glance::store::Store
  std::vector<std::string> schemes() const override { return {"rbd"}; }
  // Conflict when the pool already has an image "<id>". A writer destroyed without commit()
  // or abort() removes its image on the pool, without waiting.
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override;
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override;
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override;
  Task<void> remove(const Location& where) override;
  // Removes the images "<id>" (unless `keep` names it) and "<id>-<tag>" of the configured pool,
  // snapshots first. Ceph refuses to remove an image that an upload still has open (it has a
  // watcher): that one is logged and left to its upload's own clean-up.
  Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep) override;
  // The ids of the "<id>-<tag>" images of the configured pool.
  Task<std::vector<std::string>> image_ids_with_data() override;
  // Ends the retries of PendingRemovals.
  void stop_background_work() override { removals_->stop(); }

  ~RbdStore() override;
  const RbdStoreConfig& config() const { return config_; }
  // Images of failed uploads waiting for Ceph to come back (PendingRemovals).
  size_t pending_removals() const { return removals_->pending(); }

 private:
  RbdStore(const RbdStoreConfig& config, BlockingPool& pool);
  // The image and snapshot a location names, in the pool it names (the configured one for
  // the old "rbd://<image>" form); bad_request for a malformed location.
  struct Target {
    std::string pool;
    std::string image;
    std::string snapshot;
  };
  common::Result<Target> target_of(const Location& where) const;
  // The bound on connecting and on each Ceph operation: rados_connect_timeout when positive,
  // else rbd_store_op_timeout; 0: none.
  std::chrono::seconds op_timeout() const;
  // The shared connection, made on first use; blocking, so for pool threads only.
  common::Result<std::shared_ptr<RadosCluster>> cluster();
  // An I/O context on `pool_name` (the configured pool when empty); blocking.
  common::Result<std::shared_ptr<IoCtx>> io(const std::string& pool_name);

  RbdStoreConfig config_;
  BlockingPool& pool_;
  std::mutex connect_mutex_;
  std::shared_ptr<RadosCluster> cluster_;
  std::shared_ptr<PendingRemovals> removals_;
};

}  // namespace glance::store
