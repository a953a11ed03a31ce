#include "common/image_formats.h"

#include <algorithm>

namespace glance::common {

namespace {
bool is_amazon(const std::optional<std::optional<std::string>>& f) {
  return f && *f && (**f == "aki" || **f == "ari" || **f == "ami");
}
bool listed(const std::vector<std::string>& list, const std::optional<std::string>& v) {
  return v && std::find(list.begin(), list.end(), *v) != list.end();
}
}  // namespace

Result<void> ImageFormats::validate(std::optional<std::optional<std::string>>& disk,
                                    std::optional<std::optional<std::string>>& container) const {
  if (disk && !listed(disk_formats, *disk))
    return Error::bad_request("Invalid disk format '" + disk->value_or("None") + "' for image.");
  if (container && !listed(container_formats, *container))
    return Error::bad_request("Invalid container format '" + container->value_or("None") +
                              "' for image.");
  if (is_amazon(disk) || is_amazon(container)) {
    if (!disk)
      disk = *container;
    else if (!container)
      container = *disk;
    else if (**disk != **container)
      return Error::bad_request(
          "Invalid mix of disk and container formats. When setting a disk or container format "
          "to one of 'aki', 'ari', or 'ami', the container and disk formats must match.");
  }
  return {};
}

}  // namespace glance::common
