#pragma once

#include "store/driver.h"
#include "store/s3/s3_store.h"

namespace glance::store {

// "s3": the s3_store_* options of [glance_store].
Driver s3_driver();

// Reads those options; bad values are recorded in `file`.
S3StoreConfig load_s3_config(common::ConfigFile& file);

}  // namespace glance::store
