#pragma once

#include "api/registry_client.h"
#include "common/http/request.h"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace glance::api::v2 {

// The live image `id` for a v2 route, or not_found with `missing` (the route's own upstream
// wording): an id over 36 characters names no image and the registry is not asked; a deleted
// image, which the registry shows admins, is not found for everybody, as upstream's
// ImageRepo.get. Other registry errors pass through.
boost::asio::awaitable<common::Result<common::Image>> find_live_image(RegistryClient& registry,
                                                                      const Caller& caller,
                                                                      const std::string& id,
                                                                      const std::string& missing);

// Upstream's body_reject routes: 400 "A body is not expected with this request." when the
// request has a body (a positive Content-Length or a chunked one), as webob's has_body says.
common::Result<void> reject_body(const common::http::Request& req);

Caller caller_of(const common::http::Request& req);

}  // namespace glance::api::v2
