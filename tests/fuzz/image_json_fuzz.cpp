// The registry's JSON request and response bodies: parse_json_body, then the image codec
// both daemons use ({"image": {...}} field sets, full images), and the membership bodies'
// truthiness rule. Whatever the codec accepts must survive writing and reading back. Lists
// read element by element (parse_json_list) must hand over what the whole document holds.
#include "common/http/json_body.h"
#include "common/image_json.h"
#include "common/json_parse.h"
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

// parse_json_list agrees with parse_json: the same elements, the rest of the document, and
// a refusal only where parse_json refuses or the document holds no single "images" array.
void list_agrees(std::string_view text, const glance::common::Result<json>& whole) {
  std::vector<json> elements;
  auto rest =
      common::parse_json_list(text, "images", [&](json&& e) { elements.push_back(std::move(e)); });
  if (!whole) {
    check(!rest, "a list parse refuses what a whole parse refuses");
    return;
  }
  const bool has_list =
      whole->is_object() && whole->contains("images") && (*whole)["images"].is_array();
  if (!rest) {
    check(!has_list || rest.error().message() == R"(JSON document has no "images" list.)",
          "a list parse refuses a sound list only as a second list");
    return;
  }
  check(has_list, "a list parse accepts only a document with the list");
  check(json(elements) == (*whole)["images"], "a list parse hands over every element");
  json expected_rest = *whole;
  expected_rest["images"] = json::array();
  check(*rest == expected_rest, "a list parse keeps the rest of the document");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = glance::fuzz::as_text(data, size);
  list_agrees(text, common::parse_json(text));
  auto body = common::http::parse_json_body(text);
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
