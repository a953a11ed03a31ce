#pragma once

#include "common/metrics/metrics.h"
#include "store/store.h"
#include "store/store_registry.h"

#include <memory>
#include <string>

namespace glance::store {

// Wraps a driver so that every operation it answers is counted on `metrics`, labelled with
// `name` (the driver's own name, "file", "swift", ...):
//   glance_store_operations_total{store,operation,outcome}   get (open), add (begin_add to
//       commit), delete (remove), size (the size of a location a client names, e.g. the http
//       store's HEAD), remove_leftovers (the orphan reaper's sweep of a dead upload's data);
//       outcome ok, not_found (not for add or remove_leftovers), error, or for add aborted
//       (the writer was aborted or dropped before commit without an error of the store's)
//   glance_store_operation_duration_seconds{store,operation} histogram; a get is timed to its
//       data being ready to stream, not to the last byte sent
//   glance_store_written_bytes_total{store}, glance_store_read_bytes_total{store}
// The series are resolved once here, so an operation costs atomic increments and one
// histogram observation. image_ids_with_data and stop_background_work pass straight
// through.
// `metrics` must outlive the returned store.
std::unique_ptr<Store> with_metrics(std::unique_ptr<Store> store, const std::string& name,
                                    common::metrics::Metrics& metrics);

// Makes every driver `config` would start come wrapped by with_metrics, named by its own name
// (the key of config.drivers). Call before StoreRegistry::from_config; `metrics` must outlive
// the stores.
void meter_drivers(StoreConfig& config, common::metrics::Metrics& metrics);

}  // namespace glance::store
