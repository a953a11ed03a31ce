#pragma once

#include "store/driver.h"
#include "store/rbd/rbd_store.h"

namespace glance::store {

// "rbd": rbd_store_pool, rbd_store_user, rbd_store_ceph_conf, rbd_store_chunk_size,
// rados_connect_timeout and (ours) rbd_store_op_timeout of [glance_store].
Driver rbd_driver();

// Reads those options; bad values are recorded in `file`.
RbdStoreConfig load_rbd_config(common::ConfigFile& file);

}  // namespace glance::store
