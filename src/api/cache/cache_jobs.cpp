#include "api/cache/cache_jobs.h"

#include "api/cache/cache_maintenance.h"
#include "api/cache/cache_prefetcher.h"
#include "api/cache/image_cache.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {

// One run of a job: what it did, for the log (empty when there was nothing to do).
using Pass = std::function<net::awaitable<Result<std::string>>()>;

struct Job {
  std::string name;
  std::chrono::seconds interval;
  Pass pass;
  std::unique_ptr<net::steady_timer> timer;  // on the job's strand
};

}  // namespace

struct CacheJobs::State {
  State(ImageCache& cache, const CacheConfig& config, CachePrefetchSource prefetch)
      : cache(cache), config(config), prefetch(std::move(prefetch)) {}

  ImageCache& cache;
  const CacheConfig config;
  const CachePrefetchSource prefetch;
  std::atomic<bool> stopped{false};
  std::vector<std::unique_ptr<Job>> jobs;  // set once, by start()

  net::awaitable<Result<std::string>> prune() {
    auto pruned = co_await cache.run(
        [max = config.max_size](CacheDirectory& d) { return prune_cache(d, max); });
    if (!pruned) co_return pruned.error();
    if (pruned->images == 0) co_return std::string();
    co_return "pruned " + std::to_string(pruned->images) + " images (" +
        std::to_string(pruned->bytes) + " bytes) to stay under " + std::to_string(config.max_size) +
        " bytes";
  }

  net::awaitable<Result<std::string>> clean() {
    auto removed = co_await cache.run(
        [stall = config.stall_time](CacheDirectory& d) { return clean_cache(d, stall); });
    if (!removed) co_return removed.error();
    if (*removed == 0) co_return std::string();
    co_return "removed " + std::to_string(*removed) + " stalled fills";
  }

  net::awaitable<Result<std::string>> prefetch_queued_images() {
    auto cached = co_await prefetch_queued(prefetch.registry, prefetch.stores, cache,
                                           prefetch.caller, prefetch.token);
    if (cached == 0) co_return std::string();
    co_return "prefetched " + std::to_string(cached) + " queued images";
  }
};

namespace {

net::awaitable<void> run(std::shared_ptr<CacheJobs::State> state, Job* job) {
  for (;;) {
    // Checked on the strand before each wait: a stop() whose cancel ran while a pass was
    // under way is seen here.
    if (state->stopped) co_return;
    job->timer->expires_after(job->interval);
    co_await job->timer->async_wait(net::as_tuple(net::use_awaitable));
    if (state->stopped) co_return;
    Result<std::string> outcome = std::string();
    try {
      outcome = co_await job->pass();
    } catch (const std::exception& e) {
      // The job must outlive one bad run: the next period tries again.
      outcome = Error::internal(e.what());
    }
    if (!outcome)
      spdlog::warn("image cache {} job failed, next run in {}s: {}", job->name,
                   job->interval.count(), outcome.error().message());
    else if (!outcome->empty())
      spdlog::info("image cache {} job: {}", job->name, *outcome);
    else
      spdlog::debug("image cache {} job: nothing to do", job->name);
  }
}

}  // namespace

CacheJobs::CacheJobs(ImageCache& cache, const CacheConfig& config, CachePrefetchSource prefetch)
    : state_(std::make_shared<State>(cache, config, std::move(prefetch))) {}

CacheJobs::~CacheJobs() {
  stop();
}

void CacheJobs::start(net::any_io_executor executor) {
  State* s = state_.get();
  const struct {
    const char* name;
    std::chrono::seconds interval;
    Pass pass;
  } all[] = {
      {"prune", s->config.prune_interval, [s] { return s->prune(); }},
      {"clean", s->config.clean_interval, [s] { return s->clean(); }},
      {"prefetch", s->config.prefetch_interval, [s] { return s->prefetch_queued_images(); }},
  };
  for (const auto& one : all) {
    if (one.interval.count() <= 0) continue;
    auto strand = net::make_strand(executor);
    state_->jobs.push_back(std::make_unique<Job>(
        Job{one.name, one.interval, one.pass, std::make_unique<net::steady_timer>(strand)}));
    spdlog::info("image cache {} job runs every {}s", one.name, one.interval.count());
  }
  for (const auto& job : state_->jobs)
    net::co_spawn(job->timer->get_executor(), run(state_, job.get()), net::detached);
}

void CacheJobs::stop() {
  if (state_->stopped.exchange(true)) return;
  for (const auto& job : state_->jobs)
    net::dispatch(job->timer->get_executor(),
                  [state = state_, timer = job->timer.get()] { timer->cancel(); });
}

}  // namespace glance::api
