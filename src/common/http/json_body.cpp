#include "common/http/json_body.h"

#include "common/json_parse.h"

namespace glance::common::http {

Result<nlohmann::json> parse_json_body(std::string_view body) {
  auto j = parse_json(body, JsonLimits{});
  if (!j) return j.error();
  if (!j->is_object() && !j->is_array())
    return Error::bad_request("Unexpected body type. Expected list/dict.");
  return j;
}

bool json_truthy(const nlohmann::json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  if (v.is_number_float()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

}  // namespace glance::common::http
