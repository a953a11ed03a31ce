#include "api/orphan_reaper.h"

#include "store/file_store.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <atomic>

namespace glance::api {

namespace net = boost::asio;
namespace fs = std::filesystem;
using common::Image;
using common::ImageFields;
using common::ImageStatus;
using common::Result;
using SteadyClock = std::chrono::steady_clock;

namespace {
// Registry list pages: the registry caps the limit anyway.
constexpr int kPageSize = 100;

struct Sighting {
  std::optional<std::string> updated_at;
  SteadyClock::time_point unchanged_since;
};
}  // namespace

Caller reaper_caller() {
  Caller caller;
  caller.context.is_admin = true;
  caller.context.roles = {"admin"};
  caller.context.user_id = "glance-api";
  caller.request_id = "req-orphan-reaper";
  return caller;
}

struct OrphanReaper::State {
  State(RegistryClient& registry, std::vector<store::Store*> stores, OrphanReaperConfig config)
      : registry(registry), stores(std::move(stores)), config(std::move(config)) {}

  RegistryClient& registry;
  const std::vector<store::Store*> stores;
  const OrphanReaperConfig config;
  const Caller caller = reaper_caller();
  std::unique_ptr<net::steady_timer> timer;  // on the strand
  std::atomic<bool> stopped{false};
  std::map<std::string, Sighting> sightings;

  std::chrono::seconds interval() const {
    return std::max(std::chrono::seconds(1), config.orphan_timeout / 4);
  }

  // Every saving image, or nullopt when the registry cannot list them now.
  net::awaitable<std::optional<std::vector<Image>>> saving_images() {
    std::vector<Image> all;
    std::string marker;
    for (;;) {
      common::http::QueryParams params{{"status", "saving"},
                                       {"is_public", "none"},
                                       {"sort_key", "id"},
                                       {"limit", std::to_string(kPageSize)}};
      if (!marker.empty()) params.emplace_back("marker", marker);
      auto page = co_await registry.list(caller, params, true);
      if (!page) {
        spdlog::warn("orphan reaper cannot list saving images: {}", page.error().message());
        co_return std::nullopt;
      }
      for (auto& image : *page) all.push_back(std::move(image));
      if (page->size() < static_cast<size_t>(kPageSize)) co_return all;
      marker = all.back().id;
    }
  }

  // The image is killed: no upload of it can become live, and none of its data is.
  net::awaitable<void> remove_leftovers(const std::string& id) {
    const std::optional<store::Location> nothing_live;
    for (store::Store* store : stores) {
      auto removed = co_await store->remove_leftovers(id, nothing_live);
      if (!removed)
        spdlog::error("orphan reaper could not remove the data of image {} from the {} store: {}",
                      id, store->schemes().front(), removed.error().message());
    }
  }

  // Kills `id` when its lease is still the one seen `orphan_timeout` ago.
  net::awaitable<void> reap(const std::string& id, const Sighting& seen) {
    auto now = co_await registry.get(caller, id);
    if (!now || now->status != ImageStatus::saving || now->updated_at != seen.updated_at) co_return;
    ImageFields kill;
    kill.status = ImageStatus::killed;
    auto killed = co_await registry.update(caller, id, kill, false, ImageStatus::saving);
    if (!killed) {
      spdlog::warn("orphan reaper could not kill image {}: {}", id, killed.error().message());
      co_return;
    }
    spdlog::warn("orphan reaper killed image {}: its upload stopped renewing its lease at {}", id,
                 seen.updated_at.value_or("?"));
    co_await remove_leftovers(id);
  }

  // Partial files nobody is writing any more: old, not this process's, and their image is
  // not saving (a saving one is left to the lease).
  void sweep_partial_files(const std::set<std::string>& saving) {
    if (config.file_datadir.empty()) return;
    const auto cutoff = fs::file_time_type::clock::now() - config.orphan_timeout;
    for (const auto& partial : store::list_partial_files(config.file_datadir)) {
      if (partial.modified > cutoff || saving.contains(partial.image_id) ||
          partial.writer_pid == ::getpid())
        continue;
      std::error_code ec;
      if (fs::remove(partial.path, ec))
        spdlog::warn("orphan reaper removed the abandoned partial file {}",
                     partial.path.filename().string());
    }
  }

  net::awaitable<void> pass() {
    auto images = co_await saving_images();
    if (!images) co_return;  // without the registry nothing can be told apart
    const auto now = SteadyClock::now();
    std::map<std::string, Sighting> next;
    std::set<std::string> saving;
    for (const auto& image : *images) {
      saving.insert(image.id);
      auto old = sightings.find(image.id);
      Sighting seen{image.updated_at, now};
      if (old != sightings.end() && old->second.updated_at == image.updated_at) seen = old->second;
      if (now - seen.unchanged_since >= config.orphan_timeout)
        co_await reap(image.id, seen);
      else
        next.emplace(image.id, seen);
    }
    sightings = std::move(next);
    sweep_partial_files(saving);
  }
};

namespace {
net::awaitable<void> run(std::shared_ptr<OrphanReaper::State> state) {
  while (!state->stopped) {
    co_await state->pass();
    if (state->stopped) co_return;
    state->timer->expires_after(state->interval());
    co_await state->timer->async_wait(net::as_tuple(net::use_awaitable));
  }
}
}  // namespace

OrphanReaper::OrphanReaper(RegistryClient& registry, std::vector<store::Store*> stores,
                           OrphanReaperConfig config)
    : state_(std::make_shared<State>(registry, std::move(stores), std::move(config))) {}

OrphanReaper::~OrphanReaper() {
  stop();
}

std::chrono::seconds OrphanReaper::pass_interval() const {
  return state_->interval();
}

void OrphanReaper::start(net::any_io_executor executor) {
  if (state_->config.orphan_timeout.count() == 0) return;
  auto strand = net::make_strand(executor);
  state_->timer = std::make_unique<net::steady_timer>(strand);
  net::co_spawn(strand, run(state_), net::detached);
}

void OrphanReaper::stop() {
  if (state_->stopped.exchange(true) || !state_->timer) return;
  net::dispatch(state_->timer->get_executor(), [state = state_] { state->timer->cancel(); });
}

}  // namespace glance::api
