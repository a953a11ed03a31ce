#pragma once

#include "api/registry_client.h"
#include "api/source_policy.h"
#include "api/upload.h"
#include "store/store_registry.h"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace glance::api {

// The copies x-glance-api-copy-from starts (spec §3.7): each runs after its request was
// answered, reading the source through its store and writing through the upload path, so
// size cap, quota, checksums and the killed-and-cleaned-up guarantee are the upload's. A copy
// whose source cannot be opened kills its image. The daemon's drain waits for running copies;
// cancel_all() makes each fail at its next read, so it kills its image and removes its partial
// data before the process exits. Safe for concurrent use.
class CopyJobs {
 public:
  CopyJobs(RegistryClient& registry, const store::StoreRegistry& stores, const SourcePolicy& policy,
           UploadLimits limits)
      : registry_(registry), stores_(stores), policy_(policy), limits_(limits) {}

  // Starts copying `uri` into `target` as the data of queued `image`; returns at once.
  void start(const boost::asio::any_io_executor& executor, const Caller& caller,
             const common::Image& image, const std::string& uri, store::Store& target);

  size_t running() const { return running_; }
  void cancel_all() { cancelled_ = true; }

 private:
  boost::asio::awaitable<void> copy(Caller caller, common::Image image, std::string uri,
                                    store::Store& target);

  RegistryClient& registry_;
  const store::StoreRegistry& stores_;
  const SourcePolicy& policy_;
  UploadLimits limits_;
  std::atomic<size_t> running_{0};
  std::atomic<bool> cancelled_{false};
};

}  // namespace glance::api
