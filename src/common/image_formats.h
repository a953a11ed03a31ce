#pragma once

#include "common/error.h"

#include <optional>
#include <string>
#include <vector>

namespace glance::common {

// The allowed disk and container formats ([image_format] in glance-api.conf) and the
// validation of upstream v1's create and update.
struct ImageFormats {
  std::vector<std::string> disk_formats{"ami", "ari",   "aki", "vhd", "vhdx", "vmdk",
                                        "raw", "qcow2", "vdi", "iso", "ploop"};
  std::vector<std::string> container_formats{"ami", "ari", "aki", "bare", "ovf", "ova", "docker"};

  // Checks the formats given in one request and applies the Amazon rule: when either is
  // aki/ari/ami, a missing one copies the other and differing ones are refused. The outer
  // optional says whether the request carried the field; the inner one is its value (null
  // is never a valid format).
  Result<void> validate(std::optional<std::optional<std::string>>& disk_format,
                        std::optional<std::optional<std::string>>& container_format) const;
};

}  // namespace glance::common
