#pragma once

#include "api/authorizer.h"
#include "api/source_policy.h"
#include "api/v2/image_patch.h"
#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace glance::api::v2 {

// What deciding on location changes needs. All must outlive the call.
struct LocationEnv {
  const Authorizer& auth;
  const common::RequestContext& ctx;
  const store::StoreRegistry& stores;
  const SourcePolicy& sources;
  // A removed location's row is left pending_delete, its data in place, as upstream
  // schedules it for the scrubber.
  bool delayed_delete = false;
};

// The registry write that makes a patch's location changes.
struct LocationUpdate {
  // The whole set, as write_locations' compare-and-set wants it: every location the image
  // had by id (a removed one with status "deleted", or "pending_delete" with
  // delayed_delete), new ones without id.
  std::vector<common::ImageLocation> locations;
  std::optional<int64_t> size;                // learned from a new location when the image had none
  std::optional<common::ImageStatus> status;  // active when a location was added to a queued image
  std::vector<std::string> dropped;           // urls the image no longer has
};

// Whether `changes` touch /locations.
bool touches_locations(const std::vector<PatchChange>& changes);

// Applies the /locations changes of a parsed patch (show_multiple_locations on) to `image`,
// in order, with upstream v2's checks, each in upstream's order:
//  replace: 409 unless queued or active; 403 "You are not permitted to modify 'locations'
//    on this image." for an image the caller may not change; set_image_location, and
//    delete_image_location when a url goes; the same urls only change metadata; otherwise
//    400 "Original locations is not empty: ..." unless the image had none, and each new
//    location is checked as for an add. The status is left as it is.
//  add /locations/<n or ->: 409 unless queued or active; get_image_location; 400 "Invalid
//    position for adding a location."; 403 "You are not permitted to modify locations for
//    this image."; set_image_location; the location checked; a url the image has already
//    400 "The location <url> already exists"; a queued image becomes active.
//  remove /locations/<n or ->: 409 unless active; get_image_location; the last one 403
//    "Cannot remove last location in the image."; 400 "Invalid position for removing a
//    location."; 403 as for add; delete_image_location.
// A location is checked as upstream's _check_location_uri does, held to `sources` (scheme
// and host, SourceUse::location): refused, with no store for it, or with no size > 0 at its
// url (a HEAD for http), 400 "Invalid location"; then its metadata, whose values must be
// objects, lists or strings (400). A policy refusal is 403 "You are not authorized to
// complete <rule> action.". nullopt when `changes` touch no location. `webob_wording` is set
// when upstream words the returned error with WebOb's generic explanation before it (a 403
// of a remove, which upstream raises again as the detail of a new HTTPForbidden).
boost::asio::awaitable<common::Result<std::optional<LocationUpdate>>> plan_location_changes(
    const common::Image& image, const std::vector<PatchChange>& changes, const LocationEnv& env,
    bool* webob_wording);

// Removes the data of the urls `update` dropped from `image`, as upstream does when a
// location is removed, but only data an upload of this image wrote to one of our writable
// stores (its object named as upload_name.h says): a url a client gave, or one at a
// read-only store (http), is not ours to delete, and no other image can hold an upload's
// own object. Failures are logged, not returned.
boost::asio::awaitable<void> remove_dropped_data(const store::StoreRegistry& stores,
                                                 const common::Image& image,
                                                 const LocationUpdate& update,
                                                 const std::string& request_id);

}  // namespace glance::api::v2
