#include "store/store_module.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

namespace glance::store {

namespace {

std::filesystem::path running_program_directory() {
  std::error_code ec;
  auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : program.parent_path();
}

}  // namespace

common::Result<void*> store_module_symbol(const std::string& driver, const char* symbol) {
  const std::string file = "glance-store-" + driver + ".so";
  std::string tried;
  const auto program_dir = running_program_directory();
  if (program_dir.empty())
    return common::Error::unavailable("store " + driver + ": cannot read /proc/self/exe");
  for (const auto& dir :
       {program_dir, (program_dir / GLANCE_STORE_MODULE_DIR).lexically_normal()}) {
    const auto path = dir / file;
    if (!std::filesystem::exists(path)) {
      tried += (tried.empty() ? "" : "; ") + path.string() + ": not found";
      continue;
    }
    // RTLD_NOW: a module built for another build of the program fails here, with the
    // missing symbol's name, rather than at its first call. dlopen counts references, so
    // a second call finds the same handle; it is never closed.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried += (tried.empty() ? "" : "; ") + std::string(::dlerror());
      continue;
    }
    if (void* address = ::dlsym(handle, symbol)) return address;
    return common::Error::unavailable("store " + driver + ": " + path.string() + " has no " +
                                      symbol);
  }
  return common::Error::unavailable("store " + driver + ": cannot load " + file + " (" + tried +
                                    ")");
}

}  // namespace glance::store
