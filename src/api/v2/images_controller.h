#pragma once

#include "api/authorizer.h"
#include "api/concurrency_limit.h"
#include "api/property_protections.h"
#include "api/registry_client.h"
#include "api/source_policy.h"
#include "api/upload.h"
#include "api/v2/image_view.h"
#include "api/v2/schemas.h"
#include "common/http/router.h"
#include "common/image_formats.h"
#include "common/notify/notifier.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

namespace glance::api {
class ImageCache;
}

namespace glance::api::v2 {

struct ImagesControllerOptions {
  common::ImageFormats formats;
  UploadLimits limits;
  bool delayed_delete = false;
  int64_t property_quota = 128;      // image_property_quota; negative = no limit
  int64_t tag_quota = 128;           // image_tag_quota, for a created image; negative = no limit
  int64_t limit_param_default = 25;  // page size when the caller gives no limit
  int64_t api_limit_max = 1000;      // the largest page
  // Property protections for additional properties; null: none.
  const PropertyProtections* protections = nullptr;
  // Locations in the image view (image_view.h), for callers get_image_location admits.
  bool show_image_direct_url = false;
  bool show_multiple_locations = false;
  // The local image cache (flavor caching); null: downloads always read the store.
  ImageCache* cache = nullptr;
  // Where the image events go; null: nowhere. Must outlive the controller.
  common::notify::Notifier* notifier = nullptr;
};

// The Images API v2 routes served so far: list, show, create and delete of /v2/images, the
// upload and download of an image's data, and the schemas. Uploads hold a slot of `uploads`
// (max_concurrent_uploads, shared with v1) while they run. Metadata goes through `registry`, which
// must be a client of the registry's /v2/images resource (HttpRegistryClient::Resource::v2_images):
// it applies v2's visibility (an invisible image is 404), filters and sorting, and answers 400 for
// bad list parameters. Every authorization decision goes to `auth`. Holds no per-request state;
// safe for concurrent use. `registry`, `stores`, `sources`, `auth`, `uploads` and `schemas` must
// outlive it.
class ImagesController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  ImagesController(RegistryClient& registry, const store::StoreRegistry& stores,
                   const SourcePolicy& sources, const Authorizer& auth, ConcurrencyLimit& uploads,
                   ImagesControllerOptions options)
      : registry_(registry),
        stores_(stores),
        sources_(sources),
        auth_(auth),
        uploads_(uploads),
        options_(std::move(options)) {}

  Reply index(Request& req);    // GET /v2/images
  Reply show(Request& req);     // GET /v2/images/{id}
  Reply create(Request& req);   // POST /v2/images
  Reply destroy(Request& req);  // DELETE /v2/images/{id}
  // GET /v2/images/{id}/file: the data through v1's download path (ranges included), with
  // Content-MD5; 204 for an image without data; a deactivated image is 403 but for admins.
  Reply download(Request& req);
  // PUT /v2/images/{id}/file, body streamed: v1's upload path into the default store
  // (saving, hashed, size cap and quota, active with checksum and os_hash_*, killed and
  // nothing left on failure); 204. 415 unless application/octet-stream; 409 unless queued;
  // 400 without both formats.
  Reply upload(Request& req);
  // PATCH /v2/images/{id} (image_update.cpp): a JSON patch in either of upstream's media types
  // (415 with Accept-Patch otherwise), parsed and applied by image_patch.h (and, with
  // show_multiple_locations, its /locations changes by image_locations.h), written in one
  // registry update (nothing changes on a fault); 200 with the image.
  Reply update(Request& req);

 private:
  RegistryClient& registry_;
  const store::StoreRegistry& stores_;
  const SourcePolicy& sources_;
  const Authorizer& auth_;
  ConcurrencyLimit& uploads_;
  ImagesControllerOptions options_;

  LocationView location_view(const common::RequestContext& ctx) const;
};

// Registers the /v2 routes above and GET /v2/schemas/{image,images,member,members}.
void add_routes(common::http::Router& router, ImagesController& images,
                const SchemaDocuments& schemas);

}  // namespace glance::api::v2
