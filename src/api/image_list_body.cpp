#include "api/image_list_body.h"

#include "api/image_headers.h"
#include "common/image_json.h"
#include "common/json_parse.h"
#include "common/json_writer.h"

namespace glance::api {

std::string image_list_body(const std::vector<common::Image>& images, bool detail) {
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("images").begin_array();
  for (const auto& image : images)
    w.raw(
        common::dump_json(detail ? image_to_api_json(image) : common::image_to_brief_json(image)));
  w.end_array().end_object();
  return out;
}

}  // namespace glance::api
