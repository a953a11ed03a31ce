#pragma once

#include "common/auth/keystone_auth_options.h"
#include "common/http/server.h"

namespace glance::common::auth {

class TokenValidator;

// The `keystone` flavor's token check, in front of the context filter, as keystonemiddleware's
// auth_token sits in front of Glance's context middleware:
//
// 1. Every identity header the caller sent (identity_headers.h) is removed.
// 2. X-Service-Token, when present, is validated; it is confirmed only with one of
//    service_token_roles (unless service_token_roles_required is off), and a confirmed one
//    lets an expired user token pass, as Nova relies on for long operations.
// 3. X-Auth-Token (or X-Storage-Token) is validated, and the user's identity set in headers.
// 4. Without a valid user token, or with an invalid service token: 401 with
//    `WWW-Authenticate: Keystone uri="<www_authenticate_uri>"`, unless delay_auth_decision
//    lets the request on marked `X-Identity-Status: Invalid`. When Keystone cannot be reached:
//    503 (under delay_auth_decision the token counts as invalid instead).
// 5. Whoever answers 401 later (the context under delay_auth_decision, a handler), the answer
//    carries the same WWW-Authenticate, as auth_token adds it to the service's 401s.
//
// `validator` must outlive the filter.
http::Filter keystone_auth_filter(TokenValidator& validator, const KeystoneAuthOptions& options);

}  // namespace glance::common::auth
