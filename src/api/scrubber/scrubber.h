#pragma once

#include "api/http_registry_client.h"
#include "common/clock.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

namespace glance::api::scrubber {

struct ScrubberOptions {
  std::chrono::seconds scrub_time{0};
  int pool_size = 1;
  std::chrono::seconds claim_lease{3600};
};

// What one pass did with the locations removed from images (not with images).
struct LocationPassSummary {
  bool listed = true;  // false when the registry would not list them
  int pending = 0;     // pending_delete locations listed
  int waiting = 0;     // not yet past scrub_time
  int scrubbed = 0;    // data deleted (or already gone), marked deleted
  int kept = 0;        // marked deleted, data left: a live image uses it, or it is not ours
  int retry = 0;       // left pending_delete: the data delete failed, or an error
  int elsewhere = 0;   // claimed by another scrubber, or no longer pending_delete
};

// What one pass did.
struct PassSummary {
  int pending = 0;    // pending_delete images listed
  int waiting = 0;    // not yet past scrub_time
  int fresh = 0;      // unfinished deletes whose mark is younger than the claim lease
  int deleted = 0;    // scrubbed and marked deleted
  int retry = 0;      // left pending_delete: a location's data delete failed, or an error
  int elsewhere = 0;  // claimed by another scrubber, or restored meanwhile
  LocationPassSummary locations;
};

// Deletes the data that glance-api's delayed delete left behind. A pass lists the deleted
// pending_delete images through the registry, and for each one past scrub_time (up to
// pool_size at once): claims it, deletes the data of each of its pending_delete locations
// from the store that holds it (a store answering not_found had none; a read-only store's
// data is not ours), then reports the scrubbed locations, upon which the registry marks them
// deleted and, with none left pending, the image deleted. It lists as well the live rows
// glance-api marked pending_delete but never deleted (the api died between its two registry
// writes); once such a mark is older than claim_lease (and scrub_time), the claim deletes the
// row and the image is scrubbed as any other. A location whose delete failed
// keeps the image pending_delete, unclaimed, for the next pass. Several scrubbers may run
// at once: the claim lets one at a time work on an image, and one that dies leaves its
// claim to expire after claim_lease (ScrubRepository).
// A pass then scrubs the locations removed from images with delayed_delete (v2 PATCH
// "remove /locations/N" leaves the row pending_delete on an image that stays live): each one
// pending_delete for scrub_time is claimed alone, its data deleted as above, and it is marked
// deleted. Its data stays, and it is only marked deleted, when a live image still has the
// url as an active location, or when it is at a writable store but is not this image's own
// upload (as glance-api's immediate removal deletes only that). A failed delete releases the
// claim, so the next pass retries it.
// Acts as an admin toward the registry; the registry client sends its own token when it has
// one. `registry`, `stores` and `clock` must outlive it; calls run on the caller's executor,
// one pass or restore at a time.
class Scrubber {
 public:
  Scrubber(HttpRegistryClient& registry, const store::StoreRegistry& stores,
           ScrubberOptions options, const common::Clock& clock);

  // unavailable (or the registry's error) when the pending images cannot be listed; errors
  // with single images are logged and counted in the summary.
  boost::asio::awaitable<common::Result<PassSummary>> run_pass();
  // glance-scrubber --restore: the image back from pending_delete to active, with the
  // registry's refusal (conflict) when it is not pending_delete or being scrubbed.
  boost::asio::awaitable<common::Result<common::Image>> restore(const std::string& id);

 private:
  enum class ImageOutcome { deleted, retry, elsewhere };
  enum class LocationResult { scrubbed, kept, retry, elsewhere };
  boost::asio::awaitable<common::Result<std::vector<common::Image>>> list_pending(
      const Caller& caller);
  boost::asio::awaitable<ImageOutcome> scrub_image(const Caller& caller, std::string id);
  boost::asio::awaitable<bool> scrub_location(const std::string& image_id,
                                              const common::ImageLocation& location);
  boost::asio::awaitable<common::Result<std::vector<common::PendingLocation>>>
  list_removed_locations(const Caller& caller);
  boost::asio::awaitable<LocationResult> scrub_removed_location(const Caller& caller,
                                                                common::PendingLocation pending);
  boost::asio::awaitable<void> scrub_removed_locations(const Caller& caller,
                                                       LocationPassSummary& summary);
  Caller new_caller() const;

  HttpRegistryClient& registry_;
  const store::StoreRegistry& stores_;
  ScrubberOptions options_;
  const common::Clock& clock_;
};

}  // namespace glance::api::scrubber
