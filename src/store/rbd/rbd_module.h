#pragma once

#include "common/error.h"
#include "store/blocking_pool.h"
#include "store/store.h"

#include <memory>

namespace glance::store {

struct RbdStoreConfig;
using StartedStore = common::Result<std::unique_ptr<Store>>;

// What glance-store-rbd.so exports under the name kRbdModuleEntry: starts an RbdStore with
// `config` on `pool` (RbdStore::create) into `started`. C linkage, so that its name in the
// module is the plain string; both sides are built from this one tree.
using StartRbdStore = void(const RbdStoreConfig* config, BlockingPool* pool, StartedStore* started);
inline constexpr const char* kRbdModuleEntry = "glance_start_rbd_store";

}  // namespace glance::store

extern "C" glance::store::StartRbdStore glance_start_rbd_store;
