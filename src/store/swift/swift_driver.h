#pragma once

#include "store/driver.h"
#include "store/swift/swift_store.h"

namespace glance::store {

// "swift": the swift_store_* (sizes in glance_store's ONE_MB) options of [glance_store].
Driver swift_driver();

// Reads those options; bad values are recorded in `file`.
SwiftStoreConfig load_swift_config(common::ConfigFile& file);

}  // namespace glance::store
