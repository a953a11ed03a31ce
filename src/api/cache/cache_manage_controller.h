#pragma once

#include "api/authorizer.h"
#include "common/error.h"
#include "common/http/router.h"

#include <boost/asio/awaitable.hpp>

namespace glance::api {

class ImageCache;

// The cache management routes of flavor `cachemanagement`, under /v1 and /v2 alike, with
// upstream's bodies: the cached images and their hits, the prefetcher's queue, and removal
// from both. Every route needs manage_image_cache (admin by default); forbidden otherwise.
// Queuing does not ask the registry whether the image exists: the prefetcher does. Ids that
// cannot be image ids are refused (bad_request) or not found. Holds no per-request state;
// safe for concurrent use. `cache` and `auth` must outlive it.
class CacheManageController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  CacheManageController(ImageCache& cache, const Authorizer& auth) : cache_(cache), auth_(auth) {}

  Reply list_cached(Request& req);        // GET /cached_images
  Reply delete_cached(Request& req);      // DELETE /cached_images/{id}
  Reply delete_all_cached(Request& req);  // DELETE /cached_images
  Reply list_queued(Request& req);        // GET /queued_images
  Reply queue(Request& req);              // PUT /queued_images/{id}
  Reply dequeue(Request& req);            // DELETE /queued_images/{id}
  Reply dequeue_all(Request& req);        // DELETE /queued_images

 private:
  ImageCache& cache_;
  const Authorizer& auth_;
};

// Registers the routes under /v1 and /v2.
void add_cache_manage_routes(common::http::Router& router, CacheManageController& controller);

}  // namespace glance::api
