#include "api/registry_image_list.h"

#include "common/image_json.h"
#include "common/json_parse.h"

#include <optional>

namespace glance::api {

using common::Error;
using common::Image;

// A text that is not a list within the limits is an unexpected answer even when an image
// before the fault was bad, as when the whole text was parsed before any image was read; so
// the first bad image is reported only once the text has proved sound.
common::Result<std::vector<Image>> read_image_list(std::string_view body, size_t max_bytes) {
  std::vector<Image> out;
  std::optional<Error> bad_image;
  auto collect = [&](nlohmann::json&& item) {
    if (bad_image) return;
    auto image = common::image_from_json(item);
    if (image)
      out.push_back(std::move(*image));
    else
      bad_image = image.error();
  };
  common::JsonLimits limits;
  limits.max_bytes = max_bytes;
  if (!common::parse_json_list(body, "images", collect, limits))
    return Error::internal("registry returned an unexpected image list");
  if (bad_image) return *bad_image;
  return out;
}

}  // namespace glance::api
