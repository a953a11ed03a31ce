#pragma once

#include "api/concurrency_limit.h"
#include "api/registry_client.h"
#include "api/source_policy.h"
#include "api/upload.h"
#include "common/notify/notifier.h"
#include "store/store_registry.h"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

namespace glance::api {

// The copies x-glance-api-copy-from starts: each runs after its request was
// answered, reading the source through its store and writing through the upload path, so
// size cap, quota, checksums and the killed-and-cleaned-up guarantee are the upload's. A copy
// whose source cannot be opened kills its image. The daemon's drain waits for running copies;
// cancel_all() makes each fail at its next read, so it kills its image and removes its partial
// data before the process exits. At most `max_running` copies run at once (0: no cap): the
// request that would start one more is refused before its image is reserved (try_reserve,
// refused). Safe for concurrent use.
class CopyJobs {
 public:
  // `notifier` (null: none) hears of each copy as of an upload: image.prepare, then
  // image.upload, image.activate and image.update, or image.upload at ERROR.
  CopyJobs(RegistryClient& registry, const store::StoreRegistry& stores, const SourcePolicy& policy,
           UploadLimits limits, size_t max_running, common::notify::Notifier* notifier = nullptr)
      : registry_(registry),
        stores_(stores),
        policy_(policy),
        limits_(limits),
        slots_(max_running, "copies"),
        notifier_(notifier) {}

  // A place for one more copy, or nothing when `max_running` copies hold one.
  std::optional<ConcurrencyLimit::Slot> try_reserve() { return slots_.try_acquire(); }
  // The answer to a request refused for want of a slot (503 with Retry-After).
  common::http::Response refused(std::string_view accept) const { return slots_.refused(accept); }

  // Starts copying `uri` into `target` as the data of queued `image`; returns at once. The copy
  // holds `slot` until it ends.
  void start(const boost::asio::any_io_executor& executor, const Caller& caller,
             const common::Image& image, const std::string& uri, store::Store& target,
             ConcurrencyLimit::Slot slot);

  size_t running() const { return running_; }
  void cancel_all() { cancelled_ = true; }

 private:
  boost::asio::awaitable<void> copy(Caller caller, common::Image image, std::string uri,
                                    store::Store& target, ConcurrencyLimit::Slot slot);

  RegistryClient& registry_;
  const store::StoreRegistry& stores_;
  const SourcePolicy& policy_;
  UploadLimits limits_;
  std::atomic<size_t> running_{0};
  std::atomic<bool> cancelled_{false};
  ConcurrencyLimit slots_;
  common::notify::Notifier* notifier_;
};

}  // namespace glance::api
