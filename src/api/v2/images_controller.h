#pragma once

#include "api/authorizer.h"
#include "api/registry_client.h"
#include "api/source_policy.h"
#include "api/v2/schemas.h"
#include "common/http/router.h"
#include "common/image_formats.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

namespace glance::api::v2 {

struct ImagesControllerOptions {
  common::ImageFormats formats;
  bool delayed_delete = false;
  int64_t property_quota = 128;      // image_property_quota; negative = no limit
  int64_t limit_param_default = 25;  // page size when the caller gives no limit
  int64_t api_limit_max = 1000;      // the largest page
};

// The Images API v2 routes served so far: list, show, create and delete of /v2/images, the
// download of an image's data, and the schemas. Metadata goes through `registry`, which must be a
// client of the registry's /v2/images resource (HttpRegistryClient::Resource::v2_images): it
// applies v2's visibility (an invisible image is 404), filters and sorting, and answers 400 for bad
// list parameters. Every authorization decision goes to `auth`. Holds no per-request state; safe
// for concurrent use. `registry`, `stores`, `sources`, `auth` and `schemas` must outlive it.
class ImagesController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  ImagesController(RegistryClient& registry, const store::StoreRegistry& stores,
                   const SourcePolicy& sources, const Authorizer& auth,
                   ImagesControllerOptions options)
      : registry_(registry),
        stores_(stores),
        sources_(sources),
        auth_(auth),
        options_(std::move(options)) {}

  Reply index(Request& req);    // GET /v2/images
  Reply show(Request& req);     // GET /v2/images/{id}
  Reply create(Request& req);   // POST /v2/images
  Reply destroy(Request& req);  // DELETE /v2/images/{id}
  // GET /v2/images/{id}/file: the data through v1's download path (ranges included), with
  // Content-MD5; 204 for an image without data; a deactivated image is 403 but for admins.
  Reply download(Request& req);

 private:
  RegistryClient& registry_;
  const store::StoreRegistry& stores_;
  const SourcePolicy& sources_;
  const Authorizer& auth_;
  ImagesControllerOptions options_;
};

// Registers the /v2 routes above and GET /v2/schemas/{image,images,member,members}.
void add_routes(common::http::Router& router, ImagesController& images,
                const SchemaDocuments& schemas);

}  // namespace glance::api::v2
