#pragma once

#include <string>
#include <string_view>

namespace glance::common {

// `uri` with the userinfo of every "scheme://userinfo@host..." replaced by "***", for log lines
// and error messages that mention a location: image locations may carry store credentials
// (`http://user:pass@host/...`, Swift's `swift+https://account:user:key@auth/...`).
//
// The authority is taken to end at the first '/' after "://", and the userinfo at the last '@'
// before it, as glance_store splits Swift URIs: a Swift user ("account:user") holds ':' and a
// key may hold '@'. A URI without userinfo comes back unchanged. Text that is not a URI at all
// is redacted by the same rule and never makes this throw (other than std::bad_alloc).
std::string redact_credentials(std::string_view uri);

}  // namespace glance::common
