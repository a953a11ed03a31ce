#pragma once

#include "api/registry_client.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace glance::common::auth {
class ServiceToken;
}

namespace glance::api {

struct OrphanReaperConfig {
  // upload_orphan_timeout: how long a saving image's lease may stand still before its upload
  // is taken for dead; 0 turns the reaper off. Uploads renew every quarter of it.
  std::chrono::seconds orphan_timeout{300};
  // The file store's directory, whose abandoned partial files are swept; empty when the file
  // store is not loaded.
  std::filesystem::path file_datadir;
};

// Ends uploads whose glance-api died. Every orphan_timeout/4 it lists the saving images and
// watches their updated_at, which a live upload renews (upload_lease.h). An image whose
// updated_at has not changed for orphan_timeout, measured on this process's own monotonic
// clock (so clock skew between nodes does not matter), is read once more and, if still
// unchanged, killed with a compare-and-set from saving; then whatever its uploads left in each
// writable store (Store::remove_leftovers: files and partial files, Swift segments and
// manifests, S3 objects and unfinished multipart uploads) is removed. Partial files older
// than orphan_timeout whose image is not saving are removed too, at start-up and at every
// pass, and so is the data killed images have under their own names in stores that can list
// it (Store::image_ids_with_data: an upload cut by a Ceph outage, whose glance-api could not
// remove its RBD image before Ceph came back or before it stopped; an upload that committed and
// then could neither activate its image nor remove what it had committed). Deletes
// cut short the same way are finished: an image whose status is deleted while its row is live (its
// glance-api marked it, then died or lost the registry's answer before removing the data and the
// row) is, once its updated_at has stood still for orphan_timeout, rid of its data and then of its
// row, provided the only data it names is its own file in the file store; the reaper sends the
// mark again, and data the registry's answer says another live image uses stays. Several api nodes
// may run reapers against one registry and store: a live upload renews its lease far more often
// than orphan_timeout, so no node takes it for dead. The first pass runs at start(). It acts as an
// admin: with `token` (the [keystone_authtoken] service user's, when glance-api validates tokens),
// each pass sends that token, so that a registry validating tokens too takes the service user for
// who it is (an admin there by its role); without, it sends none, for a registry without flavor or
// trusting the identity headers. A pass without a token (Keystone down or refusing) is skipped.
// Runs on its own strand; `registry`, `stores` and `token` must outlive it. Safe to stop() from any
// thread.
class OrphanReaper {
 public:
  // `stores`: the drivers that write image data (StoreRegistry::writable()).
  OrphanReaper(RegistryClient& registry, std::vector<store::Store*> stores,
               OrphanReaperConfig config, common::auth::ServiceToken* token = nullptr);
  ~OrphanReaper();

  void start(boost::asio::any_io_executor executor);
  void stop();

  std::chrono::seconds pass_interval() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// The caller the reaper acts as: an admin, so that it sees every tenant's images.
Caller reaper_caller();

}  // namespace glance::api
