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
// key may hold '@'. Outside such authorities, text shaped "user:secret@" (a malformed URI, or
// no URI at all) is masked up to its '@' as well. A URI without userinfo comes back unchanged.
// Never throws (other than std::bad_alloc).
std::string redact_credentials(std::string_view uri);

}  // namespace glance::common
