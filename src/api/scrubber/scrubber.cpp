#include "api/scrubber/scrubber.h"

#include "api/scrubber/scrub_plan.h"
#include "common/image_id.h"
#include "common/image_status.h"
#include "common/uri_redaction.h"
#include "store/upload_name.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string_view>

namespace glance::api::scrubber {

namespace net = boost::asio;
using common::Errc;
using common::Image;
using common::ImageStatus;
using common::Result;

namespace {
// Images per registry list call; the registry caps it at its api_limit_max anyway.
constexpr int kPageSize = 500;
// Removed locations per registry list call (the registry's most).
constexpr int kLocationPageSize = 1000;

// Runs work(item) for each of `items`, `pool_size` at a time; the io_context runs them
// interleaved. `items` and `work` must outlive the call.
template <class Item, class Work>
net::awaitable<void> for_each_pooled(int pool_size, const std::vector<Item>& items, Work& work) {
  size_t next = 0;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < items.size()) co_await work(items[next++]);
  };
  auto executor = co_await net::this_coro::executor;
  using Op = decltype(net::co_spawn(executor, worker(), net::deferred));
  std::vector<Op> workers;
  size_t count = std::min<size_t>(static_cast<size_t>(pool_size), items.size());
  for (size_t i = 0; i < count; ++i)
    workers.push_back(net::co_spawn(executor, worker(), net::deferred));
  if (!workers.empty())
    co_await net::experimental::make_parallel_group(std::move(workers))
        .async_wait(net::experimental::wait_for_all(), net::use_awaitable);
}
}  // namespace

Scrubber::Scrubber(HttpRegistryClient& registry, const store::StoreRegistry& stores,
                   ScrubberOptions options, const common::Clock& clock)
    : registry_(registry), stores_(stores), options_(options), clock_(clock) {
  options_.pool_size = std::max(options_.pool_size, 1);
}

Caller Scrubber::new_caller() const {
  Caller caller;
  caller.context.is_admin = true;
  caller.context.roles = {"admin"};
  caller.context.user_id = "glance-scrubber";
  common::RandomIdGenerator ids;
  caller.request_id = "req-" + ids.new_id();
  return caller;
}

net::awaitable<Result<std::vector<Image>>> Scrubber::list_pending(const Caller& caller) {
  std::vector<Image> all;
  // Until an empty page: a short page may only mean the registry's own cap.
  // The deleted rows, then the live ones of a delete whose glance-api died between its two
  // writes (marked pending_delete, row not deleted), which the claim finishes.
  for (const char* deleted : {"true", "false"}) {
    std::optional<std::string> marker;
    for (;;) {
      common::http::QueryParams params{{"deleted", deleted},
                                       {"status", "pending_delete"},
                                       {"is_public", "None"},
                                       {"limit", std::to_string(kPageSize)}};
      if (marker) params.emplace_back("marker", *marker);
      auto page = co_await registry_.list(caller, params, true);
      if (!page) co_return page.error();
      if (page->empty()) break;
      marker = page->back().id;
      for (auto& image : *page) {
        // The listing's filter says which kind it is, whatever the document carries.
        image.deleted = std::string_view(deleted) == "true";
        all.push_back(std::move(image));
      }
    }
  }
  co_return all;
}

net::awaitable<bool> Scrubber::scrub_location(const std::string& image_id,
                                              const common::ImageLocation& location) {
  store::Location where{location.url};
  auto* store = stores_.for_location(where);
  if (!store) {
    spdlog::error("cannot scrub image {}: no store serves its {} location", image_id,
                  where.scheme());
    co_return false;
  }
  Result<void> removed;
  if (store->writable()) removed = co_await store->remove(where);
  if (location_outcome(store->writable(), removed) == LocationOutcome::retry) {
    spdlog::warn("image {}: deleting data at {} failed, left for the next pass: {}", image_id,
                 common::redact_credentials(location.url), removed.error().message());
    co_return false;
  }
  if (!removed)
    spdlog::info("image {}: data at {} was already gone", image_id,
                 common::redact_credentials(location.url));
  co_return true;
}

net::awaitable<Scrubber::ImageOutcome> Scrubber::scrub_image(const Caller& caller, std::string id) {
  auto claimed = co_await registry_.claim_scrub(caller, id, options_.claim_lease);
  if (!claimed) {
    if (claimed.error().code() == Errc::conflict || claimed.error().code() == Errc::not_found) {
      spdlog::debug("image {} skipped: {}", id, claimed.error().message());
      co_return ImageOutcome::elsewhere;
    }
    spdlog::warn("cannot claim image {}: {}", id, claimed.error().message());
    co_return ImageOutcome::retry;
  }
  std::vector<int64_t> scrubbed;
  bool all = true;
  for (const auto& location : claimed->locations) {
    if (!location.id) continue;
    // The claim says, per location, whether another live image reads the same data: that
    // stays, and the location counts as scrubbed. A registry that does not say leaves it to go.
    if (location.in_use.value_or(false)) {
      spdlog::info("image {}: its data at {} stays, another live image uses it", id,
                   common::redact_credentials(location.url));
      scrubbed.push_back(*location.id);
      continue;
    }
    if (co_await scrub_location(id, location))
      scrubbed.push_back(*location.id);
    else
      all = false;
  }
  auto finished = co_await registry_.finish_scrub(caller, id, scrubbed);
  if (!finished) {
    // The data deleted stays deleted; once the claim expires a pass finds it gone.
    spdlog::warn("image {}: cannot record the scrub: {}", id, finished.error().message());
    co_return ImageOutcome::retry;
  }
  if (!all || finished->status != ImageStatus::deleted) co_return ImageOutcome::retry;
  spdlog::info("image {} scrubbed ({} locations)", id, scrubbed.size());
  co_return ImageOutcome::deleted;
}

net::awaitable<Result<PassSummary>> Scrubber::run_pass() {
  Caller caller = new_caller();
  auto pending = co_await list_pending(caller);
  if (!pending) co_return pending.error();
  PassSummary summary;
  summary.pending = static_cast<int>(pending->size());
  std::vector<std::string> due;
  auto now = clock_.now();
  for (const auto& image : *pending) {
    switch (scrub_wait(image, now, options_.scrub_time, options_.claim_lease)) {
      case ScrubWait::none:
        due.push_back(image.id);
        break;
      case ScrubWait::scrub_time:
        ++summary.waiting;
        break;
      case ScrubWait::lease:
        ++summary.fresh;
        break;
    }
  }
  auto work = [&](const std::string& id) -> net::awaitable<void> {
    switch (co_await scrub_image(caller, id)) {
      case ImageOutcome::deleted:
        ++summary.deleted;
        break;
      case ImageOutcome::retry:
        ++summary.retry;
        break;
      case ImageOutcome::elsewhere:
        ++summary.elsewhere;
        break;
    }
  };
  co_await for_each_pooled(options_.pool_size, due, work);
  co_await scrub_removed_locations(caller, summary.locations);
  co_return summary;
}

net::awaitable<Result<std::vector<common::PendingLocation>>> Scrubber::list_removed_locations(
    const Caller& caller) {
  std::vector<common::PendingLocation> all;
  int64_t after = 0;
  for (;;) {
    auto page = co_await registry_.list_pending_locations(caller, after, kLocationPageSize);
    if (!page) co_return page.error();
    if (page->empty()) break;
    after = page->back().id;
    for (auto& l : *page) all.push_back(std::move(l));
  }
  co_return all;
}

net::awaitable<Scrubber::LocationResult> Scrubber::scrub_removed_location(
    const Caller& caller, common::PendingLocation pending) {
  const std::string& image_id = pending.image_id;
  auto claim =
      co_await registry_.claim_location_scrub(caller, image_id, pending.id, options_.claim_lease);
  if (!claim) {
    if (claim.error().code() == Errc::conflict || claim.error().code() == Errc::not_found) {
      spdlog::debug("location {} of image {} skipped: {}", pending.id, image_id,
                    claim.error().message());
      co_return LocationResult::elsewhere;
    }
    spdlog::warn("cannot claim location {} of image {}: {}", pending.id, image_id,
                 claim.error().message());
    co_return LocationResult::retry;
  }
  const auto& location = claim->location;
  const store::Location where{location.url};
  const auto* store = stores_.for_location(where);
  // Data a live image still reads, or that no upload of this image wrote, is not ours to
  // delete (glance-api's removal without delayed_delete leaves it too); the row goes.
  bool kept = claim->in_use;
  if (!kept && store && store->writable())
    kept = !store::location_names_upload_of(location.url, image_id);
  bool gone = true;
  if (kept)
    spdlog::info("image {}: removed location {} leaves its data at {}: {}", image_id, pending.id,
                 common::redact_credentials(location.url),
                 claim->in_use ? "a live image still uses it" : "not this image's upload");
  else
    gone = co_await scrub_location(image_id, location);
  auto finished = co_await registry_.finish_location_scrub(caller, image_id, pending.id, gone);
  if (!finished) {
    spdlog::warn("location {} of image {}: cannot record the scrub: {}", pending.id, image_id,
                 finished.error().message());
    co_return LocationResult::retry;
  }
  if (!gone) co_return LocationResult::retry;
  spdlog::info("location {} of image {} scrubbed", pending.id, image_id);
  co_return kept ? LocationResult::kept : LocationResult::scrubbed;
}

net::awaitable<void> Scrubber::scrub_removed_locations(const Caller& caller,
                                                       LocationPassSummary& summary) {
  auto pending = co_await list_removed_locations(caller);
  if (!pending) {
    // The images were scrubbed all the same; a registry too old for this answers 404.
    spdlog::error("cannot list the locations removed from images: {}", pending.error().message());
    summary.listed = false;
    co_return;
  }
  summary.pending = static_cast<int>(pending->size());
  std::vector<common::PendingLocation> due;
  auto now = clock_.now();
  for (auto& l : *pending) {
    if (location_due(l.marked_at, now, options_.scrub_time))
      due.push_back(std::move(l));
    else
      ++summary.waiting;
  }
  auto work = [&](const common::PendingLocation& l) -> net::awaitable<void> {
    switch (co_await scrub_removed_location(caller, l)) {
      case LocationResult::scrubbed:
        ++summary.scrubbed;
        break;
      case LocationResult::kept:
        ++summary.kept;
        break;
      case LocationResult::retry:
        ++summary.retry;
        break;
      case LocationResult::elsewhere:
        ++summary.elsewhere;
        break;
    }
  };
  co_await for_each_pooled(options_.pool_size, due, work);
}

net::awaitable<Result<Image>> Scrubber::restore(const std::string& id) {
  co_return co_await registry_.restore_pending(new_caller(), id, options_.claim_lease);
}

}  // namespace glance::api::scrubber
