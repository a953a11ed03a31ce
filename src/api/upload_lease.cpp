#include "api/upload_lease.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace glance::api {

namespace net = boost::asio;

// Shared by the lease and its renewal loop: the loop may still be waiting on the registry
// when the lease is destroyed.
struct UploadLease::State {
  State(net::any_io_executor executor, RegistryClient& registry, Caller caller, std::string id,
        std::chrono::seconds interval)
      : timer(executor),
        registry(registry),
        caller(std::move(caller)),
        image_id(std::move(id)),
        interval(interval) {}

  net::steady_timer timer;
  RegistryClient& registry;
  const Caller caller;
  const std::string image_id;
  const std::chrono::seconds interval;
  bool stopped = false;
};

namespace {
net::awaitable<void> renew_until_stopped(std::shared_ptr<UploadLease::State> state) {
  for (;;) {
    state->timer.expires_after(state->interval);
    co_await state->timer.async_wait(net::as_tuple(net::use_awaitable));
    if (state->stopped) co_return;
    common::ImageFields nothing;
    auto renewed = co_await state->registry.update(state->caller, state->image_id, nothing, false,
                                                   common::ImageStatus::saving);
    if (state->stopped) co_return;
    if (!renewed && renewed.error().code() == common::Errc::conflict) {
      // No longer saving: a reaper or a concurrent upload decided; the upload will learn it
      // when it tries to activate.
      spdlog::warn("{} image {} stopped saving during its upload", state->caller.request_id,
                   state->image_id);
      co_return;
    }
    if (!renewed)
      spdlog::warn("{} could not renew the upload lease of image {}: {}", state->caller.request_id,
                   state->image_id, renewed.error().message());
  }
}
}  // namespace

net::awaitable<std::unique_ptr<UploadLease>> UploadLease::start(RegistryClient& registry,
                                                                Caller caller, std::string image_id,
                                                                std::chrono::seconds interval) {
  auto executor = co_await net::this_coro::executor;
  auto state =
      std::make_shared<State>(executor, registry, std::move(caller), std::move(image_id), interval);
  if (interval.count() > 0) net::co_spawn(executor, renew_until_stopped(state), net::detached);
  co_return std::unique_ptr<UploadLease>(new UploadLease(std::move(state)));
}

UploadLease::~UploadLease() {
  state_->stopped = true;
  state_->timer.cancel();
}

}  // namespace glance::api
