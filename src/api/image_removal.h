#pragma once

#include "api/registry_client.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

namespace glance::api {

// Deletes an image the caller was allowed to delete, data first, as both APIs do: marks it
// `deleted` (or `pending_delete` with its locations, for the scrubber, with
// `delayed_delete`), removes the data of each of its active locations from the store that
// holds it (never at a read-only location such as http, nor data the registry's answer to the
// mark says another live image uses: that stays, logged at info), then deletes its row. Data that
// is already gone is logged and not an error. When the store refuses, the image gets its status
// back and the error is returned (forbidden: "Forbidden to delete image: ..."); a registry
// not_found on the mark reads "Failed to find image to delete: ...". `registry` and `stores` must
// outlive the call.
boost::asio::awaitable<common::Result<void>> remove_image_and_data(
    RegistryClient& registry, const store::StoreRegistry& stores, const Caller& caller,
    const common::Image& image, bool delayed_delete);

}  // namespace glance::api
