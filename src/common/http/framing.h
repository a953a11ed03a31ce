#pragma once

#include "common/error.h"
#include "common/http/headers.h"

namespace glance::common::http {

// Checks that a request header says unambiguously where its body ends and whom it is for,
// as RFC 9112 §6 (message body length) and §3.2 (Host) require. Anything a proxy in front of
// us might read differently is refused, since that disagreement is how requests are smuggled:
//  - Transfer-Encoding: only exactly `chunked` (one field, one coding) and only in HTTP/1.1;
//    chunked not last or repeated → bad_request; any other coding → not_implemented.
//  - Content-Length: one field of plain digits; together with Transfer-Encoding →
//    bad_request.
//  - Host: exactly one in HTTP/1.1, at most one in HTTP/1.0.
// Pure; `version` is 10 or 11. The caller answers the error and closes the connection.
Result<void> check_request_framing(unsigned version, const Headers& headers);

}  // namespace glance::common::http
