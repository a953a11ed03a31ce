#pragma once

#include "store/driver.h"

#include <string>

namespace glance::store {

// The file driver's option of [glance_store].
struct FileStoreConfig {
  std::string filesystem_store_datadir = "/var/lib/glance/images";
  bool operator==(const FileStoreConfig&) const = default;
};

// "file" (alias "filesystem").
Driver file_driver();

// Reads filesystem_store_datadir.
FileStoreConfig load_file_config(common::ConfigFile& file);

}  // namespace glance::store
