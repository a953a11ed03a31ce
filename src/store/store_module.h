#pragma once

#include "common/error.h"

#include <string>

namespace glance::store {

// A store driver built as a module of its own, glance-store-<driver>.so, so that a program
// whose configuration does not name that driver never loads it nor the libraries it needs:
// librbd and librados alone add about 19 MiB to the resident size of every process that
// links them, whether it talks to Ceph or not.
//
// Returns the address of `symbol` in the driver's module, loading it the first time. The
// module is looked for next to the running program first (a build tree, where the programs
// that start stores and the modules share one directory), then where the install puts them,
// ${libdir}/glance-cpp, found from the program's ${bindir} so that any prefix works. It stays
// loaded for the life of the process. Not found or not loadable: unavailable, naming each place
// tried and the loader's reason. Safe for concurrent calls.
common::Result<void*> store_module_symbol(const std::string& driver, const char* symbol);

}  // namespace glance::store
