#include "api/v2/member_request.h"

#include "common/http/json_body.h"

#include <nlohmann/json.hpp>

namespace glance::api::v2 {

using common::Error;
using common::Result;
using nlohmann::json;

namespace {
// The member column's width; a longer id could not be stored.
constexpr size_t kMaxMemberChars = 255;

Result<json> body_value(std::string_view body, const char* key, const char* form,
                        const char* missing) {
  if (body.empty()) return Error::bad_request("Body expected in request.");
  auto parsed = common::http::parse_json_body(body);
  if (!parsed) return parsed.error();
  if (!parsed->is_object()) return Error::bad_request(form);
  auto found = parsed->find(key);
  if (found == parsed->end()) return Error::bad_request(missing);
  return *found;
}
}  // namespace

Result<std::string> parse_member_create(std::string_view body) {
  constexpr const char* kForm = "Expected a member in the form: {\"member\": \"image_id\"}";
  auto member = body_value(body, "member", kForm, "Member to be added not specified");
  if (!member) return member.error();
  if (!common::http::json_truthy(*member)) return Error::bad_request("Member can't be empty");
  if (!member->is_string() || member->get_ref<const std::string&>().size() > kMaxMemberChars)
    return Error::bad_request(kForm);
  return member->get<std::string>();
}

Result<json> parse_member_update(std::string_view body) {
  return body_value(body, "status", "Expected a status in the form: {\"status\": \"status\"}",
                    "Status not specified");
}

Result<common::MemberStatus> member_status_of(const json& status) {
  if (status.is_string())
    if (auto s = common::member_status_from_string(status.get_ref<const std::string&>())) return *s;
  return Error::bad_request(
      "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".");
}

}  // namespace glance::api::v2
