#include "api/cache/cache_prefetcher.h"

#include "api/cache/image_cache.h"
#include "api/image_lookup.h"
#include "common/auth/service_token.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {

// Reads `body` to its end (or its announced length), as a client would: following the fill,
// whose last byte comes once the copy is committed, so an error means nothing was cached.
net::awaitable<Result<void>> drain(store::ImageBody body) {
  auto* stream = std::get_if<common::http::StreamBody>(&body);
  if (!stream) co_return Error::conflict("the image is being cached already");
  std::vector<char> chunk(256 * 1024);
  uint64_t read = 0;
  while (!stream->length || read < *stream->length) {
    auto n = co_await stream->reader->read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) break;
    read += *n;
  }
  co_return Result<void>{};
}

net::awaitable<Result<void>> prefetch(RegistryClient& registry, const store::StoreRegistry& stores,
                                      ImageCache& cache, const Caller& caller,
                                      const std::string& id) {
  auto image = co_await fetch_image(registry, caller, id);
  if (!image) co_return image.error();
  if (image->status != common::ImageStatus::active)
    co_return Error::conflict("image " + id + " is not active");
  auto uri = image->active_location();
  if (!uri) co_return Error::not_found("image " + id + " has no data");
  store::Location where{*uri};
  auto* store = stores.for_location(where);
  if (!store) co_return Error::bad_request("no store for scheme " + where.scheme());
  auto reader = co_await store->open(where, {});
  if (!reader) co_return reader.error();
  co_return co_await drain(co_await cache.fill(*image, (*reader)->take_body()));
}

}  // namespace

Caller prefetcher_caller(const std::string& admin_role) {
  Caller caller;
  caller.context.is_admin = true;
  caller.context.roles = {admin_role};
  caller.context.user_id = "glance-api";
  caller.request_id = "req-cache-prefetcher";
  return caller;
}

net::awaitable<size_t> prefetch_queued(RegistryClient& registry, const store::StoreRegistry& stores,
                                       ImageCache& cache, Caller caller,
                                       common::auth::ServiceToken* token) {
  auto queued = co_await cache.run([](CacheDirectory& d) { return d.queued(); });
  size_t cached = 0;
  if (queued.empty()) co_return cached;
  if (token) {
    auto grant = co_await token->grant();
    if (!grant) {
      spdlog::warn("cannot prefetch the queued images: no token for the service user: {}",
                   grant.error().message());
      co_return cached;
    }
    caller.context.auth_token = grant->token;
  }
  for (const auto& id : queued) {
    auto done = co_await prefetch(registry, stores, cache, caller, id);
    if (!done && done.error().code() == common::Errc::unauthorized && token &&
        caller.context.auth_token)
      token->refused(*caller.context.auth_token);  // the next run authenticates again
    const bool hit = co_await cache.run([id](CacheDirectory& d) { return d.is_cached(id); });
    if (hit) {
      co_await cache.run([id](CacheDirectory& d) { return d.dequeue(id); });
      spdlog::info("prefetched image {} into the cache", id);
      ++cached;
    } else {
      spdlog::warn("could not prefetch image {}: {}", id,
                   done ? "its fill was discarded" : done.error().message());
    }
  }
  co_return cached;
}

}  // namespace glance::api
