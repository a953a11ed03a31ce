#pragma once

#include "common/config_file.h"
#include "common/error.h"
#include "store/blocking_pool.h"
#include "store/driver.h"
#include "store/store.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace glance::store {

// The [glance_store] options that choose drivers, and each known driver configured from its
// own options.
struct StoreConfig {
  std::vector<std::string> stores{"file", "http"};  // drivers to load
  std::string default_store = "file";
  std::map<std::string, StartDriver> drivers;  // by the driver's own name
};

// Reads [glance_store]; conversion errors are recorded in `file`.
StoreConfig load_store_config(common::ConfigFile& file);

// Scheme → driver. Owns the drivers; filled once at start-up, then read-only and safe for
// concurrent lookups.
class StoreRegistry {
 public:
  // Starts every driver `stores` names (known_drivers(); "swift" serves every swift scheme,
  // and so on). Fails with unavailable when a driver cannot start, bad_request for an unknown store
  // name or a default_store that names no loaded driver. `pool` serves the drivers' blocking work
  // and must outlive the registry.
  static common::Result<std::unique_ptr<StoreRegistry>> from_config(const StoreConfig& config,
                                                                    BlockingPool& pool);

  void add(std::unique_ptr<Store> store);
  // The driver serving `scheme`, or nullptr.
  Store* find(const std::string& scheme) const;
  Store* for_location(const Location& where) const { return find(where.scheme()); }
  Store& default_store() const { return *default_; }
  bool knows(const std::string& scheme) const { return find(scheme) != nullptr; }
  // Every loaded driver, once each, in the order [glance_store] stores names them.
  const std::vector<std::unique_ptr<Store>>& all() const { return stores_; }
  // Every driver that writes image data (Store::writable()), once each.
  std::vector<Store*> writable() const;
  // Store::stop_background_work of every driver: at shutdown, before the pool joins.
  void stop_background_work() const;

 private:
  std::vector<std::unique_ptr<Store>> stores_;
  std::map<std::string, Store*> by_scheme_;
  Store* default_ = nullptr;
};

}  // namespace glance::store
