#pragma once

#include "common/http/headers.h"

namespace glance::common::auth {

struct TokenInfo;

// The headers keystonemiddleware's auth_token sets on a request for the service behind it:
// the user's (X-Identity-Status, X-User-Id, X-Project-Id, X-Roles, ... and the deprecated
// X-Tenant-Id, X-Tenant, X-User, X-Role), the service token's (X-Service-Identity-Status,
// X-Service-User-Id, ...), X-Is-Admin-Project, OpenStack-System-Scope and X-Service-Catalog.
// Pure functions on a header list; thread-safe.

// Removes every one of them, whatever the caller sent: only validation may set them.
void remove_identity_headers(http::Headers& headers);

// X-Identity-Status (Confirmed or Invalid), and for a confirmed token the user's identity.
void set_user_headers(http::Headers& headers, const TokenInfo* confirmed);
// X-Service-Identity-Status, and for a confirmed service token its X-Service-* identity.
void set_service_headers(http::Headers& headers, const TokenInfo* confirmed);

}  // namespace glance::common::auth
