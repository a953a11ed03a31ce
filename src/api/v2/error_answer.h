#pragma once

#include "common/error.h"
#include "common/http/response.h"
#include "common/http/router.h"

#include <string_view>

namespace glance::api::v2 {

// An error answered as upstream's v2 answers it: WebOb's format negotiated from `accept` as
// for every error, but with the message in the generic explanation's place (upstream's v2
// raises its errors with explanation=message). An error without a message keeps the generic
// explanation.
common::http::Response error_answer(const common::Error& error, std::string_view accept);

// `handler` with its errors answered by error_answer(): every v2 route registers its handler
// through it, so all of v2 words its errors as upstream's v2 does. The router keeps the
// returned handler, and with it `handler`, for as long as it routes.
common::http::Handler v2_handler(common::http::Handler handler);

}  // namespace glance::api::v2
