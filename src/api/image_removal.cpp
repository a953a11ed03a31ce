#include "api/image_removal.h"

#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::ImageStatus;
using common::Result;

namespace {
// Whether the registry's answer to the mark says another live image has `url` as an active
// location. A registry that does not say (older than the answer) leaves the data to go, as
// it always did.
bool used_elsewhere(const Image& marked, const std::string& url) {
  for (const auto& l : marked.locations)
    if (l.url == url && l.in_use) return *l.in_use;
  return false;
}

// Upstream words registry failures per action; the code stays the registry's.
Error reword(const Error& e, Errc code, std::string message) {
  return e.code() == code ? Error::with_code(code, std::move(message)) : e;
}
}  // namespace

net::awaitable<Result<void>> remove_image_and_data(RegistryClient& registry,
                                                   const store::StoreRegistry& stores,
                                                   const Caller& caller, const Image& image,
                                                   bool delayed_delete) {
  auto location = image.active_location();
  bool delay = delayed_delete && location;
  common::ImageFields mark;
  mark.status = delay ? ImageStatus::pending_delete : ImageStatus::deleted;
  if (delay) {
    // The scrubber finds the data through the location rows left pending_delete.
    mark.locations = image.locations;
    for (auto& l : *mark.locations)
      if (l.status == "active") l.status = "pending_delete";
  }
  auto marked = co_await registry.update(caller, image.id, mark, false, std::nullopt);
  if (!marked) {
    if (marked.error().code() == Errc::forbidden)
      co_return Error::forbidden("Forbidden to delete image: " + marked.error().message());
    co_return reword(marked.error(), Errc::not_found,
                     "Failed to find image to delete: " + marked.error().message());
  }
  store::Location where{location.value_or("")};
  auto* store = stores.for_location(where);
  // The registry decided, under the mark, whether another live image reads the same data.
  if (location && !delay && used_elsewhere(*marked, *location)) {
    spdlog::info("{} image {}: its data at {} stays, another live image uses it", caller.request_id,
                 image.id, common::redact_credentials(*location));
    location.reset();
  }
  // Data at an http location is not ours to delete (upstream ignores the read-only store's
  // refusal).
  if (location && !delay && !(store && !store->writable())) {
    Result<void> removed = Error::not_found("no store serves " + where.scheme());
    if (store) removed = co_await store->remove(where);
    if (!removed && removed.error().code() != Errc::not_found) {
      common::ImageFields restore;
      restore.status = image.status;
      co_await registry.update(caller, image.id, restore, false, std::nullopt);
      if (removed.error().code() == Errc::forbidden)
        co_return Error::forbidden("Forbidden to delete image: " + removed.error().message());
      co_return removed.error();
    }
    if (!removed)
      spdlog::warn("{} data of image {} was already gone: {}", caller.request_id, image.id,
                   removed.error().message());
  }
  auto deleted = co_await registry.remove(caller, image.id);
  if (!deleted) co_return deleted.error();
  co_return Result<void>();
}

}  // namespace glance::api
