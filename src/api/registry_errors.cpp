#include "api/registry_errors.h"

#include "common/json_parse.h"

namespace glance::api {

using common::Errc;
using common::Error;

namespace {
// The registry renders errors as "<code> <title>\n\n<explanation>\n\n<detail>" (text) or as
// WebOb JSON; the caller wants only the last, specific part.
std::string specific_message(std::string_view body) {
  // Holds the JSON form's message; `body` views it from here on, so it lives as long as this
  // function, not as long as the parsed document.
  std::string json_message;
  if (body.starts_with('{')) {
    auto j = common::parse_json(body, common::JsonLimits{});
    if (j && j->is_object() && j->contains("message") && (*j)["message"].is_string()) {
      json_message = (*j)["message"].get<std::string>();
      body = json_message;
    }
  }
  auto last = body.rfind("\n\n");
  std::string_view tail = last == std::string_view::npos ? body : body.substr(last + 2);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.remove_suffix(1);
  return std::string(tail);
}
}  // namespace

Error registry_error(unsigned status, std::string_view body) {
  auto message = specific_message(body);
  if (status >= 400 && status < 500) {
    Errc code = common::errc_from_http_status(status);
    // A registry limit is not the caller's upload being too large (upstream: uncaught, 500).
    if (code == Errc::payload_too_large) code = Errc::internal;
    return Error::with_code(code, message);
  }
  if (status == 503) return Error::unavailable("Registry is unavailable: " + message);
  return Error::internal("Registry error " + std::to_string(status) + ": " + message);
}

Error registry_unreachable(std::string_view why) {
  return Error::unavailable("The image registry is unavailable: " + std::string(why));
}

}  // namespace glance::api
