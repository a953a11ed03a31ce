#include "api/activation_outcome.h"

#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::ImageFields;
using common::ImageStatus;
using common::Result;
using SteadyClock = std::chrono::steady_clock;

namespace {

bool holds_our_data(const Image& image, const store::StoredImage& stored) {
  for (const auto& location : image.locations)
    if (location.url == stored.location.uri) return true;
  return image.checksum == stored.checksum && !image.locations.empty() &&
         image.size == static_cast<int64_t>(stored.size);
}

// The image as stored, or nullopt when the registry stayed out of reach for the whole time.
// A not_found answer is an answer: the image is gone for this caller.
net::awaitable<std::optional<Result<Image>>> read_back_image(RegistryClient& registry,
                                                             const Caller& caller,
                                                             const std::string& id,
                                                             ActivationReadBack limits) {
  const auto deadline = SteadyClock::now() + limits.total;
  auto pause = limits.first_pause;
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    auto now = co_await registry.get(caller, id);
    if (now || !activation_outcome_unknown(now.error()))
      co_return std::optional<Result<Image>>(std::move(now));
    if (SteadyClock::now() + pause >= deadline) co_return std::nullopt;
    timer.expires_after(pause);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    pause = std::min(pause * 2, std::chrono::milliseconds(5000));
  }
}

net::awaitable<void> remove_data(store::Store& store, const Caller& caller, const std::string& id,
                                 const store::Location& where) {
  if (auto r = co_await store.remove(where); !r && r.error().code() != Errc::not_found)
    spdlog::error("{} could not remove data of image {} at {}: {}", caller.request_id, id,
                  common::redact_credentials(where.uri), r.error().message());
}

Error not_ours(const std::string& id, const Image& image) {
  if (common::is_deleted_status(image.status))
    return Error::precondition_failed("Image " + id +
                                      " could not be found after upload. The image may have "
                                      "been deleted during the upload.");
  return Error::conflict("Image operation conflicts");
}

}  // namespace

bool activation_outcome_unknown(const Error& why) {
  return why.code() == Errc::unavailable || why.code() == Errc::internal;
}

net::awaitable<Result<Image>> settle_unknown_activation(
    RegistryClient& registry, store::Store& store, const Caller& caller, const std::string& id,
    const store::StoredImage& stored, const Error& why, ActivationReadBack read_back) {
  spdlog::warn("{} activation of image {} has an unknown outcome ({}); reading it back",
               caller.request_id, id, why.message());
  auto now = co_await read_back_image(registry, caller, id, read_back);
  if (!now) {
    spdlog::error(
        "{} registry unreachable: image {} left saving with its data for the orphan "
        "reaper",
        caller.request_id, id);
    co_return why;
  }
  if (!*now) {
    // Gone for this caller (not_found) or refused: it cannot be ours any more.
    co_await remove_data(store, caller, id, stored.location);
    co_return Error::precondition_failed("Image " + id +
                                         " could not be found after upload. The image may have "
                                         "been deleted during the upload.");
  }
  const Image& image = **now;
  if (image.status == ImageStatus::active && holds_our_data(image, stored)) {
    spdlog::info("{} image {} was activated although the registry's answer was lost",
                 caller.request_id, id);
    co_return image;
  }
  if (image.status == ImageStatus::saving) {
    ImageFields kill;
    kill.status = ImageStatus::killed;
    // Killed before the data goes: once this wins, the lost activation can no longer apply.
    auto killed = co_await registry.update(caller, id, kill, false, ImageStatus::saving);
    if (!killed) {
      spdlog::error("{} could not mark image {} killed ({}); data left for the orphan reaper",
                    caller.request_id, id, killed.error().message());
      co_return why;
    }
    co_await remove_data(store, caller, id, stored.location);
    spdlog::warn("{} upload of image {} failed, image killed: {}", caller.request_id, id,
                 why.message());
    co_return why;
  }
  co_await remove_data(store, caller, id, stored.location);
  co_return not_ours(id, image);
}

}  // namespace glance::api
