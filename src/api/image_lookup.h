#pragma once

#include "api/registry_client.h"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace glance::api {

// Looks an image up for `caller` as every /v1 route does: an id longer than 36
// characters cannot exist and is not found without asking; an image the registry does not
// show the caller is not found with upstream's wording. Other registry errors pass through.
boost::asio::awaitable<common::Result<common::Image>> fetch_image(RegistryClient& registry,
                                                                  const Caller& caller,
                                                                  const std::string& id);

}  // namespace glance::api
