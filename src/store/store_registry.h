#pragma once

#include "common/error.h"
#include "store/store.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace glance::store {

// The [glance_store] options that choose and configure drivers (spec §10.1, §10.3).
struct StoreConfig {
  // Drivers to load. Upstream's default also lists "http"; that read-only driver does not
  // exist here yet, so it is accepted in the list and skipped with a warning.
  std::vector<std::string> stores{"file", "http"};
  std::string default_store = "file";
  std::string filesystem_store_datadir = "/var/lib/glance/images";
};

// Scheme → driver. Owns the drivers; filled once at start-up, then read-only and safe for
// concurrent lookups.
class StoreRegistry {
 public:
  // Builds every configured driver: one registration line per driver. Fails with
  // unavailable when a driver cannot start, bad_request for an unknown store name or a
  // default_store that names no loaded driver.
  static common::Result<std::unique_ptr<StoreRegistry>> from_config(const StoreConfig& config);

  void add(std::unique_ptr<Store> store);
  // The driver serving `scheme`, or nullptr.
  Store* find(const std::string& scheme) const;
  Store* for_location(const Location& where) const { return find(where.scheme()); }
  Store& default_store() const { return *default_; }
  bool knows(const std::string& scheme) const { return find(scheme) != nullptr; }

 private:
  std::vector<std::unique_ptr<Store>> stores_;
  std::map<std::string, Store*> by_scheme_;
  Store* default_ = nullptr;
};

}  // namespace glance::store
