#pragma once

#include "api/registry_client.h"
#include "common/error.h"
#include "common/image.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

namespace glance::api {

// How long an upload whose activation has an unknown outcome keeps reading the image back.
// Each read is itself bounded by registry_client_timeout.
struct ActivationReadBack {
  std::chrono::milliseconds total{30000};
  std::chrono::milliseconds first_pause{200};
};

// True when a failed activating update may nonetheless have been applied: the registry was
// not heard from (timeout, reset) or failed on its side (5xx) after the request was sent.
bool activation_outcome_unknown(const common::Error& why);

// Decides an activation whose outcome is unknown by reading the image back, never by
// deleting data that may already be live:
// - active with this upload's location or checksum: the activation happened; returns it;
// - still saving: it did not; the image is killed (compare-and-set from saving, so an
//   activation still on its way cannot be overtaken) and only then is the data removed;
// - anything else (killed, deleted, activated by another upload): the data is not ours to
//   keep; it is removed and the caller gets conflict or precondition_failed;
// - the registry unreachable for the whole `read_back` time: the data and the saving image are
//   left for the orphan reaper; the caller gets unavailable (503).
boost::asio::awaitable<common::Result<common::Image>> settle_unknown_activation(
    RegistryClient& registry, store::Store& store, const Caller& caller, const std::string& id,
    const store::StoredImage& stored, const common::Error& why, ActivationReadBack read_back = {});

}  // namespace glance::api
