#include "store/file/file_driver.h"

#include "store/file/file_store.h"

namespace glance::store {

FileStoreConfig load_file_config(common::ConfigFile& file) {
  FileStoreConfig c;
  c.filesystem_store_datadir =
      file.get_string("glance_store", "filesystem_store_datadir", c.filesystem_store_datadir);
  return c;
}

Driver file_driver() {
  return {.names = {"file", "filesystem"},
          .configure = [](common::ConfigFile& file) -> StartDriver {
            return [c = load_file_config(file)](
                       BlockingPool& pool) -> common::Result<std::unique_ptr<Store>> {
              auto store = FileStore::open_dir(c.filesystem_store_datadir, pool);
              if (!store) return store.error();
              return std::unique_ptr<Store>(std::move(*store));
            };
          }};
}

}  // namespace glance::store
