#include "store/store_registry.h"

#include "store/file_store.h"

#include <spdlog/spdlog.h>

namespace glance::store {

using common::Error;
using common::Result;

void StoreRegistry::add(std::unique_ptr<Store> store) {
  for (const auto& scheme : store->schemes()) by_scheme_[scheme] = store.get();
  stores_.push_back(std::move(store));
}

Store* StoreRegistry::find(const std::string& scheme) const {
  auto it = by_scheme_.find(scheme);
  return it == by_scheme_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<StoreRegistry>> StoreRegistry::from_config(const StoreConfig& config) {
  auto registry = std::make_unique<StoreRegistry>();
  for (const auto& name : config.stores) {
    if (name == "file" || name == "filesystem") {
      if (registry->find("file")) continue;
      auto file = FileStore::open_dir(config.filesystem_store_datadir);
      if (!file) return file.error();
      registry->add(std::move(*file));
    } else if (name == "http" || name == "https") {
      // TODO(api): the read-only http store (issue 3 follow-up); until then http locations are
      // refused as upstream refuses schemes of unconfigured stores.
      spdlog::warn("store '{}' is not available in this build; ignored", name);
    } else {
      return Error::bad_request("Unknown store '" + name + "' in [glance_store] stores");
    }
  }
  registry->default_ = registry->find(config.default_store);
  if (!registry->default_)
    return Error::bad_request("[glance_store] default_store '" + config.default_store +
                              "' is not among the loaded stores");
  return registry;
}

}  // namespace glance::store
