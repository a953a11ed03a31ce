#include "api/scrubber/scrubber.h"

#include "api/scrubber/scrub_plan.h"
#include "common/image_id.h"
#include "common/image_status.h"
#include "common/uri_redaction.h"

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
    if (due_for_scrub(image, now, options_.scrub_time, options_.claim_lease))
      due.push_back(image.id);
    else
      ++summary.waiting;
  }
  // pool_size workers take the due images in turn; the io_context runs them interleaved.
  size_t next = 0;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < due.size()) {
      std::string id = due[next++];
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
    }
  };
  auto executor = co_await net::this_coro::executor;
  using Op = decltype(net::co_spawn(executor, worker(), net::deferred));
  std::vector<Op> workers;
  size_t count = std::min<size_t>(static_cast<size_t>(options_.pool_size), due.size());
  for (size_t i = 0; i < count; ++i)
    workers.push_back(net::co_spawn(executor, worker(), net::deferred));
  if (!workers.empty())
    co_await net::experimental::make_parallel_group(std::move(workers))
        .async_wait(net::experimental::wait_for_all(), net::use_awaitable);
  co_return summary;
}

net::awaitable<Result<Image>> Scrubber::restore(const std::string& id) {
  co_return co_await registry_.restore_pending(new_caller(), id, options_.claim_lease);
}

}  // namespace glance::api::scrubber
