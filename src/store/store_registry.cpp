#include "store/store_registry.h"

#include <algorithm>
#include <set>

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

std::vector<Store*> StoreRegistry::writable() const {
  std::vector<Store*> out;
  for (const auto& store : stores_)
    if (store->writable()) out.push_back(store.get());
  return out;
}

void StoreRegistry::stop_background_work() const {
  for (const auto& store : stores_) store->stop_background_work();
}

namespace {
const Driver* driver_named(const std::string& name) {
  for (const auto& driver : known_drivers())
    if (std::find(driver.names.begin(), driver.names.end(), name) != driver.names.end())
      return &driver;
  return nullptr;
}
}  // namespace

StoreConfig load_store_config(common::ConfigFile& file) {
  const std::string s = "glance_store";
  StoreConfig c;
  c.stores = file.get_list(s, "stores", c.stores);
  c.default_store = file.get_string(s, "default_store", c.default_store);
  for (const auto& driver : known_drivers())
    c.drivers.emplace(driver.names.front(), driver.configure(file));
  return c;
}

Result<std::unique_ptr<StoreRegistry>> StoreRegistry::from_config(const StoreConfig& config,
                                                                  BlockingPool& pool) {
  auto registry = std::make_unique<StoreRegistry>();
  std::set<std::string> started;
  for (const auto& name : config.stores) {
    const Driver* driver = driver_named(name);
    if (!driver) return Error::bad_request("Unknown store '" + name + "' in [glance_store] stores");
    const std::string& own_name = driver->names.front();
    if (!started.insert(own_name).second) continue;
    auto start = config.drivers.find(own_name);
    if (start == config.drivers.end())
      return Error::bad_request("store '" + name + "' is not configured");
    auto store = start->second(pool);
    if (!store) return store.error();
    registry->add(std::move(*store));
  }
  registry->default_ = registry->find(config.default_store);
  if (!registry->default_)
    return Error::bad_request("[glance_store] default_store '" + config.default_store +
                              "' is not among the loaded stores");
  return registry;
}

}  // namespace glance::store
