#include "store/rbd/rbd_driver.h"

#include "store/rbd/rbd_module.h"
#include "store/store_module.h"

namespace glance::store {

RbdStoreConfig load_rbd_config(common::ConfigFile& file) {
  RbdStoreConfig c;
  const std::string s = "glance_store";
  c.rbd_store_pool = file.get_string(s, "rbd_store_pool", c.rbd_store_pool);
  if (c.rbd_store_pool.empty()) file.add_error(s, "rbd_store_pool", "must not be empty");
  c.rbd_store_user = file.get_string(s, "rbd_store_user", c.rbd_store_user);
  c.rbd_store_ceph_conf = file.get_string(s, "rbd_store_ceph_conf", c.rbd_store_ceph_conf);
  // RBD objects are 4 KiB to 32 MiB.
  c.rbd_store_chunk_size = file.get_int(s, "rbd_store_chunk_size", c.rbd_store_chunk_size, 1, 32);
  c.rados_connect_timeout =
      file.get_int(s, "rados_connect_timeout", c.rados_connect_timeout, INT32_MIN, INT32_MAX);
  c.rbd_store_op_timeout =
      file.get_int(s, "rbd_store_op_timeout", c.rbd_store_op_timeout, INT32_MIN, INT32_MAX);
  return c;
}

Driver rbd_driver() {
  return {.names = {"rbd"}, .configure = [](common::ConfigFile& file) -> StartDriver {
            return [c = load_rbd_config(file)](
                       BlockingPool& pool) -> common::Result<std::unique_ptr<Store>> {
              // librbd lives in a module loaded only here, when a configuration names rbd.
              auto entry = store_module_symbol("rbd", kRbdModuleEntry);
              if (!entry) return entry.error();
              StartedStore started = common::Error::internal("rbd store not started");
              reinterpret_cast<StartRbdStore*> (*entry)(&c, &pool, &started);
              return started;
            };
          }};
}

}  // namespace glance::store
