#pragma once

#include "common/config_file.h"
#include "common/error.h"
#include "store/blocking_pool.h"
#include "store/store.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace glance::store {

// Starts a configured driver. `pool` serves its blocking work and outlives the driver.
using StartDriver = std::function<common::Result<std::unique_ptr<Store>>(BlockingPool& pool)>;

// One store driver as the registry knows it. Each driver's folder defines one of these and
// owns its [glance_store] options; drivers.cpp lists them.
struct Driver {
  // The names [glance_store] stores may give it, the first its own ("file", "filesystem").
  std::vector<std::string> names;
  // Reads the driver's options from [glance_store], recording bad values in `file`, and
  // returns how to start the driver with them. Every known driver reads its options, loaded
  // or not, so that a bad value is reported wherever it is.
  std::function<StartDriver(common::ConfigFile& file)> configure;
};

// Every driver this build knows, in a fixed order.
const std::vector<Driver>& known_drivers();

}  // namespace glance::store
