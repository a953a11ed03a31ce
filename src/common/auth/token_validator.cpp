#include "common/auth/token_validator.h"

#include "common/auth/auth_metrics.h"
#include "common/http/client.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace glance::common::auth {

namespace net = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {
// Keystone's token bodies carry the catalog unless told otherwise; ours ask for none.
constexpr size_t kMaxReplyBytes = 16 << 20;
// Entries beyond this are evicted, stale ones first: a flood of distinct valid tokens must not
// grow the process without bound.
constexpr size_t kMaxCachedTokens = 10000;
constexpr size_t kLoggedBodyBytes = 300;

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

Error keystone_unavailable() {
  return Error::unavailable("The Keystone service is temporarily unavailable.");
}
}  // namespace

// One round trip in flight: its waiters sleep on `done` until the leader closes it.
template <class T>
struct TokenValidator::Flight {
  explicit Flight(const net::any_io_executor& executor) : done(executor) {}
  net::experimental::concurrent_channel<void(boost::system::error_code)> done;
  std::optional<Result<T>> outcome;  // the leader's, guarded by TokenValidator::mutex_
};

TokenValidator::TokenValidator(http::HttpClient& client, ServiceToken& service,
                               KeystoneAuthOptions options, const Clock& clock)
    : client_(client), service_(service), options_(std::move(options)), clock_(clock) {}

TokenValidator::~TokenValidator() = default;

SteadyClock::time_point TokenValidator::fresh_until(const TokenInfo& info,
                                                    bool allow_expired) const {
  auto now = SteadyClock::now();
  auto until = now + options_.token_cache_time;
  if (!allow_expired) {
    auto left = std::chrono::duration_cast<SteadyClock::duration>(info.expires_at - clock_.now());
    until = std::min(until, now + std::max(left, SteadyClock::duration::zero()));
  }
  return until;
}

void TokenValidator::make_room() {
  if (cache_.size() < kMaxCachedTokens) return;
  auto now = SteadyClock::now();
  std::erase_if(cache_,
                [&](const auto& kv) { return !kv.second.pending && kv.second.fresh_until <= now; });
  // Still full of fresh tokens: forget some; they are validated again when next seen.
  for (auto it = cache_.begin(); it != cache_.end() && cache_.size() >= kMaxCachedTokens * 9 / 10;)
    it = it->second.pending ? std::next(it) : cache_.erase(it);
}

net::awaitable<Result<TokenValidator::Info>> TokenValidator::validate(std::string token,
                                                                      bool allow_expired) {
  token = trimmed(token);
  if (token.empty()) co_return Error::unauthorized("no token");
  // An allow_expired validation proves nothing about a plain one: separate entries.
  const std::string key = allow_expired ? "+" + token : "-" + token;
  auto executor = co_await net::this_coro::executor;
  std::shared_ptr<Flight<Info>> flight;
  bool lead = false;
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.info && SteadyClock::now() < it->second.fresh_until) {
      if (metrics_) metrics_->looked_up(AuthMetrics::Lookup::hit);
      Info info = it->second.info;
      if (!allow_expired && info->expires_at <= clock_.now())
        co_return Error::unauthorized("token expired");
      co_return info;
    }
    if (it == cache_.end()) {
      make_room();
      it = cache_.emplace(key, CacheEntry{}).first;
    }
    if (!it->second.pending) {
      it->second.pending = std::make_shared<Flight<Info>>(executor);
      lead = true;
    }
    flight = it->second.pending;
  }
  if (metrics_) metrics_->looked_up(lead ? AuthMetrics::Lookup::miss : AuthMetrics::Lookup::joined);
  if (lead) co_return co_await lead_validation(key, std::move(flight), token, allow_expired);
  // A closed channel completes every receive, pending or future.
  co_await flight->done.async_receive(net::as_tuple(net::use_awaitable));
  std::lock_guard lock(mutex_);
  if (flight->outcome) co_return *flight->outcome;
  co_return keystone_unavailable();
}

net::awaitable<Result<TokenValidator::Info>> TokenValidator::lead_validation(
    const std::string& key, std::shared_ptr<Flight<Info>> flight, const std::string& token,
    bool allow_expired) {
  // Waiters must wake even if this coroutine is destroyed on the way.
  struct Abandon {
    TokenValidator* self;
    const std::string& key;
    std::shared_ptr<Flight<Info>>& flight;
    bool armed = true;
    ~Abandon() {
      if (armed) self->finish_validation(key, flight, keystone_unavailable());
    }
  } abandon{this, key, flight};
  auto outcome = co_await ask_keystone(token, allow_expired);
  abandon.armed = false;
  if (outcome && !allow_expired && (*outcome)->expires_at <= clock_.now())
    outcome = Error::unauthorized("token expired");
  finish_validation(key, flight, outcome);
  co_return outcome;
}

void TokenValidator::finish_validation(const std::string& key,
                                       const std::shared_ptr<Flight<Info>>& flight,
                                       const Result<Info>& outcome) {
  {
    std::lock_guard lock(mutex_);
    flight->outcome = outcome;
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.pending == flight) {
      it->second.pending.reset();
      if (outcome) {
        it->second.info = *outcome;
        it->second.fresh_until = fresh_until(**outcome, key.front() == '+');
      } else if (!it->second.info || it->second.fresh_until <= SteadyClock::now()) {
        cache_.erase(it);
      }
    }
  }
  flight->done.close();
}

net::awaitable<Result<TokenValidator::Info>> TokenValidator::ask_keystone(const std::string& token,
                                                                          bool allow_expired) {
  // A refused service token (expired early, revoked) is renewed once, as auth_token retries.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto service = co_await service_.grant();
    if (!service) co_return service.error();
    auto url = http::parse_http_url(v3_url(service->identity_endpoint, "/auth/tokens") +
                                    "?nocatalog" + (allow_expired ? "&allow_expired=1" : ""));
    if (!url) co_return keystone_unavailable();
    http::ClientRequest request;
    request.target = url->target;
    request.headers.set("Accept", "application/json");
    request.headers.set("X-Auth-Token", service->token);
    request.headers.set("X-Subject-Token", token);
    ++validations_;
    const auto started = SteadyClock::now();
    auto reply = co_await client_.fetch(url->origin, request, {}, kMaxReplyBytes);
    if (metrics_) metrics_->validated(reply ? reply->status : 0, SteadyClock::now() - started);
    if (!reply) {
      spdlog::error("cannot validate a token: Keystone at {} cannot be reached: {}",
                    url->origin.text(), reply.error().message());
      co_return keystone_unavailable();
    }
    if (reply->status == 200) {
      auto info = parse_token_info(reply->body);
      if (!info) {
        spdlog::error("cannot validate a token: {}", info.error().message());
        co_return keystone_unavailable();
      }
      co_return std::make_shared<const TokenInfo>(std::move(*info));
    }
    if (reply->status == 404) co_return Error::unauthorized("token not found");
    if (reply->status == 401 && attempt == 0) {
      service_.refused(service->token);
      continue;
    }
    spdlog::error("cannot validate a token: Keystone answered HTTP {}: {}", reply->status,
                  reply->body.substr(0, kLoggedBodyBytes));
    co_return keystone_unavailable();
  }
  co_return keystone_unavailable();
}

}  // namespace glance::common::auth
