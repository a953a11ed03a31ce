// The entry point of glance-store-rbd.so, the module that holds the rbd driver's librbd half
// (store_module.h says why it is a module). The module is whole in itself: it carries its own
// copy of the code it shares with the program (the Store interface, the blocking pool, Asio)
// and exports this function alone. The program and the module meet only through objects of
// types both are built from in this tree: the configuration, the program's blocking pool
// (whose threads and queue the module's copy of Asio drives as the program's would), the
// store the program then calls through the Store interface, and the awaitables it returns.
#include "store/rbd/rbd_module.h"

#include "store/rbd/rbd_store.h"

extern "C" void glance_start_rbd_store(const glance::store::RbdStoreConfig* config,
                                       glance::store::BlockingPool* pool,
                                       glance::store::StartedStore* started) {
  auto store = glance::store::RbdStore::create(*config, *pool);
  if (!store) {
    *started = store.error();
    return;
  }
  *started = std::unique_ptr<glance::store::Store>(std::move(*store));
}
