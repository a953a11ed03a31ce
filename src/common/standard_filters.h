#pragma once

#include "common/context_policy.h"
#include "common/http/server.h"

#include <optional>
#include <string>

namespace glance::common {

// GET or HEAD /healthcheck: 200 "OK", or 503 "DISABLED BY FILE" while `disable_file` exists
// (oslo.middleware's healthcheck with disable_by_file_path); another method 405 with
// "Allow: GET, HEAD", as the other operational routes answer (daemon_metrics.h).
http::Filter healthcheck_filter(std::string disable_file);
// The 503 "DISABLED BY FILE" answer while `disable_file` exists; nullopt otherwise (and when
// no file is configured).
std::optional<http::Response> disabled_by_file(const std::string& disable_file);

// Builds the request context (ContextPolicy) and the request id. The id is
// "req-<uuid>", or the caller's X-Openstack-Request-ID when the pipeline trusts identity
// headers ("req-" prepended when missing); longer than max_request_id_length → 431.
// `policy`, when given, must outlive the filter; its context_is_admin rule makes admins.
http::Filter context_filter(ContextPolicy policy, size_t max_request_id_length,
                            const policy::Enforcer* policy_rules = nullptr);

}  // namespace glance::common
