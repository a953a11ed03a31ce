#pragma once

#include "common/http/server.h"

#include <optional>
#include <string>
#include <string_view>

namespace glance::api {

struct VersionOptions {
  bool enable_v1_api = true;
  std::string public_endpoint;  // base of the hrefs; empty: the request's host URL
  bool enable_v2_api = true;
};

// The outcome of upstream's version negotiation for one request: either the path to serve
// (rewritten to "/v1/..." or "/v2/..."), or the versions document with its status (200 for
// /versions, 300 otherwise).
struct Negotiation {
  std::optional<std::string> path;
  unsigned versions_status = 0;
};
Negotiation negotiate_version(std::string_view path, std::string_view accept,
                              const VersionOptions& options);

// The versions document, as upstream Queens lists them: v2.6 (CURRENT) to v2.0 (SUPPORTED)
// when v2 is enabled, then v1.1 and v1.0 (DEPRECATED) when v1 is.
std::string versions_document(const VersionOptions& options, std::string_view request_host);

// The filter that applies negotiate_version before authentication, as upstream's
// versionnegotiation middleware does. /healthcheck is left to its own filter.
common::http::Filter version_negotiation_filter(VersionOptions options);

}  // namespace glance::api
