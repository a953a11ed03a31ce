#pragma once

#include "common/http/body.h"
#include "common/http/headers.h"
#include "common/http/query_string.h"
#include "common/request_context.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace glance::common::http {

// One HTTP request as handlers see it: no Beast types. `body` holds a buffered body;
// `body_reader` is set instead for routes that stream their body, and is valid only while
// the handler runs.
struct Request {
  std::string method;     // upper case, as sent: "GET"
  unsigned version = 11;  // 10 or 11; the answer uses the same, so 1.0 clients see keep-alive
  std::string target;     // raw request target, for logs
  std::string path;       // target before '?', possibly rewritten by filters
  QueryParams query;
  Headers headers;
  std::string body;
  BodyReader* body_reader = nullptr;
  // Declared body size: Content-Length, or nullopt for chunked bodies.
  std::optional<uint64_t> content_length;
  bool chunked = false;
  std::map<std::string, std::string> path_params;
  // The path template of the route that took the request ("/v1/images/{id}"), empty when no
  // route did (a filter answered, or no route matched). Points into the router.
  std::string_view route;
  RequestContext context;
  std::string request_id;  // empty until a context filter assigns one
  std::string remote;      // peer address, for logs
  std::string host;        // "scheme://host:port" as the client addressed us
  std::chrono::steady_clock::time_point started;
  // Set by a filter on every answer that turns out 401, whoever in the pipeline gives it, as
  // keystonemiddleware's auth_token adds WWW-Authenticate to the 401s of the service behind
  // it (under delay_auth_decision, the context or a handler decides). A field the answer
  // already has is left alone.
  Headers unauthorized_headers;

  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
  const std::string& param(const std::string& name) const { return path_params.at(name); }
};

}  // namespace glance::common::http
