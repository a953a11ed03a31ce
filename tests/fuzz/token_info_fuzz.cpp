// Keystone's answer to GET /v3/auth/tokens (and to the service user's authentication) is
// parsed into the identity every later decision rests on. Whatever the peer sends: no crash,
// a parsed token always names a user and an expiry, the same bytes always give the same
// identity, and the identity headers made from it never carry a line break or a role that
// the context would split in two.
#include "common/auth/identity_headers.h"
#include "common/auth/token_info.h"
#include "common/http/headers.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>

using glance::fuzz::check;
namespace auth = glance::common::auth;
namespace http = glance::common::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = glance::fuzz::as_text(data, size);
  // Any body may name an endpoint or none; only a crash would be a finding.
  (void)auth::find_identity_endpoint(body, "internal", "");
  (void)auth::find_identity_endpoint(body, "public", "RegionOne");

  auto info = auth::parse_token_info(body);
  auto again = auth::parse_token_info(body);
  check(info.has_value() == again.has_value(), "parsing is deterministic");
  if (!info) return 0;
  check(!info->user_id.empty(), "a parsed token names its user");
  check(info->expires_at != glance::common::TimePoint{}, "a parsed token has an expiry");
  check(info->roles == again->roles && info->project_id == again->project_id,
        "the same bytes give the same identity");
  for (const auto& role : info->roles) check(!role.empty(), "no empty role");

  // As the keystone filter does: the caller's identity headers go, the token's come.
  http::Headers headers;
  headers.set("X-Roles", "forged");
  headers.set("X-Service-Roles", "forged");
  auth::remove_identity_headers(headers);
  auth::set_user_headers(headers, &*info);
  auth::set_service_headers(headers, &*info);
  for (const auto& [name, value] : headers) {
    check(!glance::fuzz::has_line_break(name) && !glance::fuzz::has_line_break(value),
          "no line break in an identity header");
    for (unsigned char c : value) check(c >= 0x20 && c != 0x7f, "no control byte in a header");
  }
  check(headers.get("X-Identity-Status") == std::optional<std::string_view>("Confirmed"),
        "a parsed token is confirmed");
  // X-Roles lists Keystone's roles only (the forged value is gone), none split by a comma.
  if (auto roles = headers.get("X-Roles")) {
    std::string_view rest = *roles;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto one = rest.substr(0, comma);
      check(std::find(info->roles.begin(), info->roles.end(), one) != info->roles.end(),
            "every listed role is one of the token's");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  auth::remove_identity_headers(headers);
  check(headers.fields().empty(), "every identity header set is one that is removed");
  return 0;
}
