#pragma once

#include "common/policy/rule.h"
#include "common/request_context.h"

namespace glance::common {

// What a policy rule sees of a request context, with the names upstream's context gives it:
// user_id and user, project_id and tenant, roles, is_admin, read_only and is_admin_project
// ("True"/"False"). Unset ids are left out, so no check matches them.
policy::Credentials credentials_of(const RequestContext& ctx);

// The context as a target, as upstream checks context_is_admin against the context itself.
policy::Values context_target(const RequestContext& ctx);

}  // namespace glance::common
