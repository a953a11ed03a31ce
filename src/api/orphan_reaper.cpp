#include "api/orphan_reaper.h"

#include "common/auth/service_token.h"
#include "store/file/file_store.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <utility>

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
  State(RegistryClient& registry, std::vector<store::Store*> stores, OrphanReaperConfig config,
        common::auth::ServiceToken* token)
      : registry(registry), stores(std::move(stores)), config(std::move(config)), token(token) {}

  RegistryClient& registry;
  const std::vector<store::Store*> stores;
  const OrphanReaperConfig config;
  common::auth::ServiceToken* const token;
  Caller caller = reaper_caller();           // its token renewed at each pass, on the strand
  std::unique_ptr<net::steady_timer> timer;  // on the strand
  std::atomic<bool> stopped{false};
  std::map<std::string, Sighting> saving_sightings;
  std::map<std::string, Sighting> deleted_sightings;

  std::chrono::seconds interval() const {
    return std::max(std::chrono::seconds(1), config.orphan_timeout / 4);
  }

  // Every image of `status` with a live row (killed: deleted rows too), or nullopt when the
  // registry cannot list them now.
  net::awaitable<std::optional<std::vector<Image>>> images_in(ImageStatus status) {
    std::vector<Image> all;
    std::string marker;
    for (;;) {
      common::http::QueryParams params{{"status", std::string(common::to_string(status))},
                                       {"is_public", "none"},
                                       {"sort_key", "id"},
                                       {"limit", std::to_string(kPageSize)}};
      // The registry lists killed images only to a changes-since query, as upstream does.
      if (status == ImageStatus::killed)
        params.emplace_back("changes-since", "1970-01-01T00:00:00");
      if (!marker.empty()) params.emplace_back("marker", marker);
      auto page = co_await registry.list(caller, params, true);
      if (!page && token && caller.context.auth_token &&
          page.error().code() == common::Errc::unauthorized)
        token->refused(*caller.context.auth_token);  // the next pass authenticates again
      if (!page) {
        spdlog::warn("orphan reaper cannot list {} images: {}", common::to_string(status),
                     page.error().message());
        co_return std::nullopt;
      }
      for (auto& image : *page) all.push_back(std::move(image));
      if (page->size() < static_cast<size_t>(kPageSize)) co_return all;
      marker = all.back().id;
    }
  }

  // No upload of `id` can become live and none of its data is (killed, or deleted): removes
  // whatever its uploads left in each writable store (Store::remove_leftovers: files and
  // partial files, Swift segments and manifests, S3 objects and unfinished multipart uploads).
  // False when some of it may remain.
  net::awaitable<bool> remove_leftovers(const std::string& id) {
    const std::optional<store::Location> nothing_live;
    bool all_gone = true;
    for (store::Store* store : stores) {
      auto removed = co_await store->remove_leftovers(id, nothing_live);
      if (removed) continue;
      all_gone = false;
      spdlog::error("orphan reaper could not remove the data of image {} from the {} store: {}", id,
                    store->schemes().front(), removed.error().message());
    }
    co_return all_gone;
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

  // Data of killed images left in a store under their own names: by failed uploads whose store's
  // server was away, or whose glance-api stopped before it came back (an upload cut by a Ceph
  // outage), and by uploads that committed and then could not activate their image nor remove
  // what they committed (Store::image_ids_with_data: the rbd store's "<id>" and "<id>-<tag>"
  // images). A killed image can have no live data and no upload can start on it again, so all
  // of it goes. Each store is listed once per pass; the registry's killed images are listed
  // only when some store named data.
  net::awaitable<void> sweep_killed_images_data() {
    std::vector<std::pair<store::Store*, std::vector<std::string>>> found;
    for (store::Store* store : stores) {
      auto ids = co_await store->image_ids_with_data();
      if (!ids)
        spdlog::warn("orphan reaper cannot list the {} store's image data: {}",
                     store->schemes().front(), ids.error().message());
      else if (!ids->empty())
        found.emplace_back(store, std::move(*ids));
    }
    // Stores that cannot list their data (file, Swift, S3) cost the registry nothing.
    if (found.empty()) co_return;
    auto killed_images = co_await images_in(ImageStatus::killed);
    if (!killed_images) co_return;
    std::set<std::string> killed;
    for (const auto& image : *killed_images) killed.insert(image.id);
    for (const auto& [store, ids] : found) {
      for (const auto& id : ids) {
        if (!killed.contains(id) || stopped) continue;
        // The store logs each piece it removes, or finds but cannot remove.
        auto removed = co_await store->remove_leftovers(id, std::nullopt);
        if (!removed)
          spdlog::warn(
              "orphan reaper could not remove the data of killed image {} from the {} "
              "store: {}",
              id, store->schemes().front(), removed.error().message());
      }
    }
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

  // Whether the only data `image` names is its own file in the file store (or none): then the
  // reaper may remove it. Data elsewhere, even in another store, is not the reaper's to judge.
  bool only_own_file_data(const Image& image) const {
    if (config.file_datadir.empty()) return image.locations.empty();
    const auto own = store::file_store_location(config.file_datadir, image.id).uri;
    for (const auto& location : image.locations)
      if (location.url != own) return false;
    return true;
  }

  // Completes a delete whose glance-api marked the image deleted and then died, or lost the
  // registry's answer, before removing its data and its row: the data, then the row.
  net::awaitable<void> finish_delete(const std::string& id, const Sighting& seen) {
    auto now = co_await registry.get(caller, id);
    if (!now || now->status != ImageStatus::deleted || now->updated_at != seen.updated_at ||
        !only_own_file_data(*now))
      co_return;
    // The mark again (it changes nothing but updated_at), for the registry's answer of which
    // data another live image uses: that stays, as in glance-api's own delete.
    ImageFields mark;
    mark.status = ImageStatus::deleted;
    auto marked = co_await registry.update(caller, id, mark, false, ImageStatus::deleted);
    if (!marked) co_return;  // changed meanwhile, or the registry is away: a later pass
    const bool in_use = std::any_of(marked->locations.begin(), marked->locations.end(),
                                    [](const auto& l) { return l.in_use.value_or(false); });
    if (in_use)
      spdlog::info("orphan reaper leaves the data of image {}: another live image uses it", id);
    else if (!co_await remove_leftovers(id))
      co_return;  // the row stays while its data does
    auto removed = co_await registry.remove(caller, id);
    if (!removed && removed.error().code() != common::Errc::not_found) {
      spdlog::warn("orphan reaper could not finish deleting image {}: {}", id,
                   removed.error().message());
      co_return;
    }
    spdlog::warn("orphan reaper finished the delete of image {}, interrupted at {}", id,
                 seen.updated_at.value_or("?"));
  }

  // Watches the images of `status`: those whose updated_at stood still for orphan_timeout go
  // to `act`. Returns their ids, or nullopt when the registry cannot list them now.
  template <class Act>
  net::awaitable<std::optional<std::set<std::string>>> watch(
      ImageStatus status, std::map<std::string, Sighting>& sightings, Act act) {
    auto images = co_await images_in(status);
    if (!images) co_return std::nullopt;  // without the registry nothing can be told apart
    const auto now = SteadyClock::now();
    std::map<std::string, Sighting> next;
    std::set<std::string> ids;
    for (const auto& image : *images) {
      ids.insert(image.id);
      auto old = sightings.find(image.id);
      Sighting seen{image.updated_at, now};
      if (old != sightings.end() && old->second.updated_at == image.updated_at) seen = old->second;
      if (now - seen.unchanged_since >= config.orphan_timeout)
        co_await act(image.id, seen);
      else
        next.emplace(image.id, seen);
    }
    sightings = std::move(next);
    co_return ids;
  }

  // With flavor keystone, the service user's token: the registry may validate tokens too.
  net::awaitable<bool> authenticate() {
    if (!token) co_return true;
    auto grant = co_await token->grant();
    if (!grant) {
      spdlog::warn("orphan reaper skips a pass: no token for the service user: {}",
                   grant.error().message());
      co_return false;
    }
    caller.context.auth_token = grant->token;
    co_return true;
  }

  net::awaitable<void> pass() {
    if (!co_await authenticate()) co_return;
    auto saving = co_await watch(
        ImageStatus::saving, saving_sightings,
        [this](const std::string& id, const Sighting& seen) { return reap(id, seen); });
    if (!saving) co_return;
    sweep_partial_files(*saving);
    co_await sweep_killed_images_data();
    co_await watch(
        ImageStatus::deleted, deleted_sightings,
        [this](const std::string& id, const Sighting& seen) { return finish_delete(id, seen); });
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
                           OrphanReaperConfig config, common::auth::ServiceToken* token)
    : state_(std::make_shared<State>(registry, std::move(stores), std::move(config), token)) {}

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
