// The registry's JSON request and response bodies: parse_json_body, then the image codec
// both daemons use ({"image": {...}} field sets, full images), and the membership bodies'
// truthiness rule. Whatever the codec accepts must survive writing and reading back. Lists
// cut into elements as they arrive (JsonListSplitter) must hand over what the whole document
// holds.
#include "common/http/json_body.h"
#include "common/image_json.h"
#include "common/json_list_splitter.h"
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

// JsonListSplitter, fed in pieces of `piece` bytes, agrees with parse_json: each element it
// hands over parses, and together they are the document's list; what it accepts parse_json
// accepts with the same list; it refuses a document parse_json accepts only when that is no
// object with one list of objects and arrays under "images".
void list_agrees(std::string_view text, size_t piece, const glance::common::Result<json>& whole) {
  common::JsonListSplitter splitter("images", {});
  std::vector<json> elements;
  bool element_refused = false;
  const auto take = [&](std::string_view e) -> glance::common::Result<void> {
    auto parsed = common::parse_json(e);
    if (!parsed) {
      element_refused = true;
      return parsed.error();
    }
    elements.push_back(std::move(*parsed));
    return {};
  };
  glance::common::Result<void> outcome;
  for (size_t at = 0; at < text.size() && outcome; at += piece)
    outcome = splitter.feed(text.substr(at, piece), take);
  if (outcome) outcome = splitter.finish();
  if (outcome) {
    check(whole.has_value(), "what the splitter accepts parses whole");
    check(whole->is_object() && whole->contains("images"), "an accepted document has the list");
    check(json(elements) == (*whole)["images"], "the splitter hands over every element");
    return;
  }
  if (!whole || element_refused) return;
  bool plain_list =
      whole->is_object() && whole->contains("images") && (*whole)["images"].is_array();
  if (plain_list)
    for (const auto& e : (*whole)["images"]) plain_list = plain_list && e.is_structured();
  check(!plain_list || outcome.error().message() == R"(JSON document has no "images" list.)",
        "the splitter refuses a sound list only as no list (a second one, or a key it cannot "
        "see)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = glance::fuzz::as_text(data, size);
  const auto whole = common::parse_json(text);
  for (size_t piece : {size_t{1}, size_t{7}, size / 2 + 1}) list_agrees(text, piece, whole);
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
