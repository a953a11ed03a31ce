#pragma once

#include "api/image_headers.h"
#include "api/registry_client.h"
#include "api/source_policy.h"
#include "common/context_policy.h"
#include "store/store_registry.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace glance::api {

// Where an image's data comes from when not from the request body: a URL it stays at
// (x-image-meta-location) or one it is copied from once (x-glance-api-copy-from).
struct ExternalSource {
  SourceUse use;
  std::string uri;
};

std::optional<ExternalSource> external_source_of(const ImageHeaderRequest& meta);

// Everything checked before the registry is asked for anything: one source at most (400
// "It's invalid to provide multiple image sources."), the operator's source policy (scheme
// and host, 400), and a loaded store for the scheme (400). Who may set a location is the
// Authorizer's question (set_image_location), asked before this.
common::Result<void> check_external_source(const ImageHeaderRequest& meta, bool has_body,
                                           const store::StoreRegistry& stores,
                                           const SourcePolicy& policy);

// How a store must connect for a source: every resolved address is vetted by `policy` for
// `use`, and every redirect target and its addresses as a copy_from source.
// `policy` must outlive the options.
store::ReadOptions source_read_options(const SourcePolicy& policy, SourceUse use);

// The size of the data at a location, 0 when its server does not say. Errors: not_found
// (404 there), bad_request (malformed, refused or unreachable).
boost::asio::awaitable<common::Result<uint64_t>> location_size(const store::StoreRegistry& stores,
                                                               const SourcePolicy& policy,
                                                               const std::string& uri);

// Activates queued `image` with its data at `uri`: formats must be set (400,
// image left queued); unless `size_known` (looked up before the image was reserved), the
// location's size is looked up: a declared size must match it (409), an undeclared one
// becomes it; then the location is recorded and the image turns active, no data copied.
boost::asio::awaitable<common::Result<common::Image>> activate_at_location(
    RegistryClient& registry, const store::StoreRegistry& stores, const SourcePolicy& policy,
    const Caller& caller, const common::Image& image, const std::string& uri, bool size_known);

}  // namespace glance::api
