#pragma once

#include "common/error.h"
#include "common/http/headers.h"
#include "common/policy/enforcer.h"
#include "common/request_context.h"

#include <string>

namespace glance::common {

// How a daemon builds its request context, chosen as upstream's paste flavor chooses the
// pipeline: no flavor gives the unauthenticated admin context; `keystone` reads the identity
// headers that token validation set (after removing the caller's); `trusted-auth` reads the
// caller's identity headers as sent, so it is only for a daemon that no client reaches
// directly (a registry behind glance-api with send_identity_headers, an api behind a proxy
// that validates tokens). Immutable after start-up; safe for concurrent use.
struct ContextPolicy {
  std::string flavor;  // "", "keystone", "trusted-auth", optionally "+caching..." suffixed
  std::string admin_role = "admin";
  bool owner_is_tenant = true;
  bool allow_anonymous_access = false;

  bool reads_identity_headers() const;
  // `keystone`: tokens are validated in front of the context (auth::KeystoneAuth), which
  // then reads the identity headers the validation set, never the caller's.
  bool validates_tokens() const { return flavor.starts_with("keystone"); }
  // 401 when the identity is not confirmed and anonymous access is off; 400 when the user,
  // tenant or roles header is not UTF-8. A caller is admin with the admin_role, or when
  // `policy` (if given) passes its context_is_admin rule, as upstream's context decides.
  Result<RequestContext> build(const http::Headers& headers,
                               const policy::Enforcer* policy = nullptr) const;
};

}  // namespace glance::common
