#pragma once

#include "common/hex_digest.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace glance::testing::chaos {

// The state the chaos test checks once the daemons are calm: MariaDB's rows and the file
// store's files.

struct StoredImage {
  std::string status;
  std::string checksum;
  long long size = -1;
  std::vector<std::string> locations;
};

// Every live image row, as MariaDB holds it.
std::map<std::string, StoredImage> inventory(const std::string& database);

using Finding = std::pair<std::string, std::string>;  // image id (or empty), what is wrong

// What is wrong with the file store against the images, reading no data, so that it can be
// polled until the reaper is done: an image still saving, a partial file, a data file that no
// active image names, an active image without a file of its size.
std::vector<Finding> layout_findings(const std::string& datadir,
                                     const std::map<std::string, StoredImage>& images);

inline std::string md5_of(const std::string& bytes) {
  return common::md5_hex(std::span<const char>(bytes.data(), bytes.size()));
}

}  // namespace glance::testing::chaos
