#include "api/image_removal.h"

#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <vector>

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

// The urls of the image's active locations, each once, in the image's order.
std::vector<std::string> active_urls(const Image& image) {
  std::vector<std::string> urls;
  for (const auto& l : image.locations)
    if (l.status == "active" && std::find(urls.begin(), urls.end(), l.url) == urls.end())
      urls.push_back(l.url);
  return urls;
}

// Removes the data at `url`, unless another live image uses it or it is at a read-only
// location such as http (upstream ignores the read-only store's refusal). Data already gone
// is logged, not an error.
net::awaitable<Result<void>> remove_location_data(const store::StoreRegistry& stores,
                                                  const Caller& caller, const Image& image,
                                                  const Image& marked, const std::string& url) {
  if (used_elsewhere(marked, url)) {
    spdlog::info("{} image {}: its data at {} stays, another live image uses it", caller.request_id,
                 image.id, common::redact_credentials(url));
    co_return Result<void>();
  }
  store::Location where{url};
  auto* store = stores.for_location(where);
  if (store && !store->writable()) co_return Result<void>();
  Result<void> removed = Error::not_found("no store serves " + where.scheme());
  if (store) removed = co_await store->remove(where);
  if (!removed && removed.error().code() == Errc::not_found) {
    spdlog::warn("{} data of image {} was already gone: {}", caller.request_id, image.id,
                 removed.error().message());
    co_return Result<void>();
  }
  co_return removed;
}
}  // namespace

net::awaitable<Result<void>> remove_image_and_data(RegistryClient& registry,
                                                   const store::StoreRegistry& stores,
                                                   const Caller& caller, const Image& image,
                                                   bool delayed_delete) {
  const std::vector<std::string> urls = active_urls(image);
  const bool delay = delayed_delete && !urls.empty();
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
  // Every active location's data goes, as upstream deletes each one (v1's initiate_deletion
  // per active location, v2's ImageProxy.delete), not only the first: an image whose first
  // location is read-only (http) would otherwise leave its upload behind. The registry
  // decided, under the mark, which of them another live image reads.
  if (!delay) {
    for (const auto& url : urls) {
      auto removed = co_await remove_location_data(stores, caller, image, *marked, url);
      if (removed) continue;
      // As upstream: the image gets its status back and the error is the answer; the data of
      // locations removed before this one is gone.
      common::ImageFields restore;
      restore.status = image.status;
      co_await registry.update(caller, image.id, restore, false, std::nullopt);
      if (removed.error().code() == Errc::forbidden)
        co_return Error::forbidden("Forbidden to delete image: " + removed.error().message());
      co_return removed.error();
    }
  }
  auto deleted = co_await registry.remove(caller, image.id);
  if (!deleted) co_return deleted.error();
  co_return Result<void>();
}

}  // namespace glance::api
