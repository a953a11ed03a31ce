#pragma once

#include "tests/support/http_client.h"

#include <chrono>
#include <string>

namespace glance::testing {

// What one request through timed_request() came to: an answer, or why there was none.
struct TimedReply {
  // False when no whole answer arrived: refused, reset, cut short or timed out.
  bool answered = false;
  HttpResponse response;
  std::string failure;
};

// One HTTP/1.1 request on a new loopback connection to `port`, bounded as a whole by
// `timeout`: never throws, never hangs on a daemon that died or stalls. For tests whose
// daemons are killed under their clients' feet.
TimedReply timed_request(int port, const std::string& method, const std::string& target,
                         const HeaderList& headers, const std::string& body,
                         std::chrono::milliseconds timeout);

}  // namespace glance::testing
