#pragma once

#include "api/authorizer.h"
#include "api/concurrency_limit.h"
#include "api/copy_jobs.h"
#include "api/image_headers.h"
#include "api/registry_client.h"
#include "api/source_policy.h"
#include "api/upload.h"
#include "common/error.h"
#include "common/http/router.h"
#include "common/image_formats.h"
#include "common/notify/notifier.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <variant>

namespace glance::api {

class ImageCache;

class PropertyProtections;

struct ImagesControllerOptions {
  common::ImageFormats formats;
  UploadLimits limits;
  bool delayed_delete = false;
  int64_t property_quota = 128;  // image_property_quota; negative = no limit
  // property_protection_file; null: every property open to whoever may write the image.
  const PropertyProtections* protections = nullptr;
  // The local image cache (flavor caching); null: downloads always read the store.
  ImageCache* cache = nullptr;
  // Where the image events go; null: nowhere. Must outlive the controller.
  common::notify::Notifier* notifier = nullptr;
};

// The /v1/images routes except members. Parses and validates input, asks
// the registry (which applies visibility: an invisible image is 404, never 403), moves data
// through the stores, and answers. Holds no per-request state; safe for concurrent use.
// Every upload holds a slot of `uploads` (max_concurrent_uploads, shared with v2's uploads)
// while it runs. Every authorization decision goes to `auth`, and to `options.protections` for
// properties. `registry`, `stores`, `sources`, `copies`, `auth`, `uploads` and the protections
// must outlive it.
class ImagesController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  ImagesController(RegistryClient& registry, const store::StoreRegistry& stores,
                   const SourcePolicy& sources, CopyJobs& copies, const Authorizer& auth,
                   ConcurrencyLimit& uploads, ImagesControllerOptions options)
      : registry_(registry),
        stores_(stores),
        sources_(sources),
        copies_(copies),
        auth_(auth),
        options_(std::move(options)),
        uploads_(uploads) {}

  Reply index(Request& req);    // GET /v1/images
  Reply detail(Request& req);   // GET /v1/images/detail
  Reply meta(Request& req);     // HEAD /v1/images/{id}
  Reply show(Request& req);     // GET /v1/images/{id}: the data
  Reply create(Request& req);   // POST /v1/images, body streamed
  Reply update(Request& req);   // PUT /v1/images/{id}, body streamed
  Reply destroy(Request& req);  // DELETE /v1/images/{id}

 private:
  Reply list(Request& req, bool detail);
  boost::asio::awaitable<common::Result<common::Image>> fetch(const Caller& caller,
                                                              const std::string& id);
  // Checks the data preconditions of an upload as upstream v1 checks them, then uploads.
  boost::asio::awaitable<common::Result<common::Image>> receive_data(
      Request& req, const Caller& caller, const common::Image& image,
      const std::optional<std::string>& store_name);
  // The upload or copy slot a request that brings data needs, taken before anything is
  // reserved or changed so that a refusal leaves no trace; the refusal when none is free.
  using Admission = std::variant<std::optional<ConcurrencyLimit::Slot>, common::http::Response>;
  Admission admit(const Request& req, const ImageHeaderRequest& meta, bool has_data);
  // After the image was reserved or updated: its data from the request body, its location or
  // a copy; the image as it is then.
  boost::asio::awaitable<common::Result<common::Image>> fill(
      Request& req, const Caller& caller, const common::Image& image,
      const ImageHeaderRequest& meta, bool size_known, std::optional<ConcurrencyLimit::Slot> slot);
  // Activates the image at its location, or starts its copy, which holds
  // `slot` while it runs.
  boost::asio::awaitable<common::Result<common::Image>> use_external_source(
      const Caller& caller, const common::Image& image, const ImageHeaderRequest& meta,
      bool size_known, std::optional<ConcurrencyLimit::Slot> slot);

  RegistryClient& registry_;
  const store::StoreRegistry& stores_;
  const SourcePolicy& sources_;
  CopyJobs& copies_;
  const Authorizer& auth_;
  ImagesControllerOptions options_;
  ConcurrencyLimit& uploads_;
};

// Registers the /v1/images routes (members excepted) on `router`.
void add_image_routes(common::http::Router& router, ImagesController& controller);

}  // namespace glance::api
