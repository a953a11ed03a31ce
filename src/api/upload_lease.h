#pragma once

#include "api/registry_client.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace glance::api {

// Shows other glance-api processes that an upload is alive: while it exists, the image's
// updated_at is renewed through the registry every `interval` with an empty update that is a
// compare-and-set from saving, so a renewal can never bring back an image that was activated,
// killed or deleted meanwhile. The orphan reaper (orphan_reaper.h) kills saving images whose
// lease stopped moving. A failed renewal is logged and tried again at the next interval.
//
// Start it on the upload's own executor (a strand): the renewals run there, and destroying the
// lease (on that executor) stops them; a renewal already sent finishes harmlessly. `registry`
// must outlive the renewals. Not thread-safe.
class UploadLease {
 public:
  // A zero interval gives a lease that renews nothing.
  static boost::asio::awaitable<std::unique_ptr<UploadLease>> start(RegistryClient& registry,
                                                                    Caller caller,
                                                                    std::string image_id,
                                                                    std::chrono::seconds interval);
  ~UploadLease();
  UploadLease(const UploadLease&) = delete;
  UploadLease& operator=(const UploadLease&) = delete;

  struct State;

 private:
  explicit UploadLease(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace glance::api
