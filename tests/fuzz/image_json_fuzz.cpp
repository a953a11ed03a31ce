// The registry's JSON request and response bodies: parse_json_body, then the image codec
// both daemons use ({"image": {...}} field sets, full images), and the membership bodies'
// truthiness rule. Whatever the codec accepts must survive writing and reading back.
#include "common/http/json_body.h"
#include "common/image_json.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;
using nlohmann::json;
namespace common = glance::common;

namespace {

void round_trip_fields(const json& j) {
  auto fields = common::image_fields_from_json(j);
  if (!fields) return;
  auto written = common::image_fields_to_json(*fields);
  auto again = common::image_fields_from_json(written);
  check(again.has_value(), "written image fields read back");
  check(common::image_fields_to_json(*again) == written, "image fields round-trip");
}

void round_trip_image(const json& j) {
  auto image = common::image_from_json(j);
  if (!image) return;
  auto written = common::image_to_json(*image);
  auto again = common::image_from_json(written);
  check(again.has_value(), "a written image reads back");
  check(common::image_to_json(*again) == written, "an image round-trips");
  auto brief = common::image_to_brief_json(*image);
  check(brief.is_object() && brief.value("id", "") == image->id, "the brief form keeps the id");
}

// The member bodies ({"memberships": [{"member_id", "can_share"}]}, {"member": {...}}) read
// can_share with Python truthiness; it must take any JSON value.
void truthiness(const json& j) {
  if (j.is_structured())
    for (const auto& item : j) truthiness(item);
  bool truthy = common::http::json_truthy(j);
  if (j.is_null() || (j.is_boolean() && !j.get<bool>())) check(!truthy, "null and false are falsy");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = common::http::parse_json_body(glance::fuzz::as_text(data, size));
  if (!body) return 0;
  check(body->is_object() || body->is_array(), "a parsed body is a dict or a list");
  truthiness(*body);
  round_trip_fields(*body);
  round_trip_image(*body);
  if (body->is_object() && body->contains("image")) {
    round_trip_fields((*body)["image"]);
    round_trip_image((*body)["image"]);
  }
  if (body->is_object() && body->contains("images") && (*body)["images"].is_array())
    for (const auto& item : (*body)["images"]) round_trip_image(item);
  return 0;
}
