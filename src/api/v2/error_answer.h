#pragma once

#include "common/error.h"
#include "common/http/response.h"

#include <string_view>

namespace glance::api::v2 {

// An error answered as upstream's v2 answers it: WebOb's format negotiated from `accept` as
// for every error, but with the message in the generic explanation's place (upstream's v2
// raises its errors with explanation=message). An error without a message keeps the generic
// explanation.
common::http::Response error_answer(const common::Error& error, std::string_view accept);

}  // namespace glance::api::v2
