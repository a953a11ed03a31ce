#pragma once

#include "common/error.h"
#include "store/swift/swift_auth.h"

#include <string>
#include <string_view>

namespace glance::store {

// Where glance_store's swift driver keeps an image, as it writes the location URI:
// swift+http://<user>:<key>@<auth address without scheme>/<container>/<object>. User and key
// are percent-encoded; the user may hold ':' ("account:user"). "swift://" means swift+https.
struct SwiftLocation {
  bool https = true;         // the auth address's scheme
  std::string user;          // decoded
  std::string key;           // decoded
  std::string auth_address;  // "host:port/auth/v1.0", without scheme or trailing '/'
  std::string container;
  std::string object;

  // bad_request for anything else, including swift+config (this store reads no
  // swift_store_config_file) and URIs without credentials (multi-tenant ones).
  static common::Result<SwiftLocation> parse(std::string_view uri);
  std::string uri() const;
  SwiftCredentials credentials() const;
};

}  // namespace glance::store
