#include "common/auth/service_token.h"

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
// A token body carries the service catalog, hundreds of KiB in a large cloud.
constexpr size_t kMaxReplyBytes = 16 << 20;
// The token is renewed this long before it expires (at most half its lifetime), so that no
// request carries a token that expires on the way.
constexpr std::chrono::seconds kRenewBefore{60};
constexpr size_t kLoggedBodyBytes = 300;

Error keystone_unavailable() {
  return Error::unavailable("The Keystone service is temporarily unavailable.");
}
}  // namespace

// One authentication in flight: its waiters sleep on `done` until the leader closes it.
struct ServiceToken::Flight {
  explicit Flight(const net::any_io_executor& executor) : done(executor) {}
  net::experimental::concurrent_channel<void(boost::system::error_code)> done;
  std::optional<Result<Grant>> outcome;  // the leader's, guarded by ServiceToken::mutex_
};

ServiceToken::ServiceToken(http::HttpClient& client, ServiceCredentials credentials,
                           const Clock& clock)
    : client_(client), credentials_(std::move(credentials)), clock_(clock) {}

ServiceToken::~ServiceToken() = default;

net::awaitable<Result<ServiceToken::Grant>> ServiceToken::grant() {
  auto executor = co_await net::this_coro::executor;
  std::shared_ptr<Flight> flight;
  bool lead = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    if (current_ && now < current_->refresh_at) co_return *current_;
    // Refused lately: asking again now would only be refused again, and load Keystone.
    if (!pending_ && now < refused_until_) co_return keystone_unavailable();
    // A leader destroyed on the way closed its flight without an outcome: start anew.
    if (pending_ && !pending_->done.is_open()) pending_.reset();
    if (!pending_) {
      pending_ = std::make_shared<Flight>(executor);
      lead = true;
    }
    flight = pending_;
  }
  if (lead) {
    // Waiters must wake even if this coroutine is destroyed on the way. It touches only the
    // flight it shares: a frame destroyed with the io_context at shutdown may outlive `this`.
    struct Abandon {
      std::shared_ptr<Flight> flight;
      bool armed = true;
      ~Abandon() {
        if (armed) flight->done.close();
      }
    } abandon{flight};
    auto outcome = co_await authenticate();
    abandon.armed = false;
    finish(flight, outcome);
    co_return outcome;
  }
  // A closed channel completes every receive, pending or future.
  co_await flight->done.async_receive(net::as_tuple(net::use_awaitable));
  std::lock_guard lock(mutex_);
  if (flight->outcome) co_return *flight->outcome;
  co_return keystone_unavailable();
}

void ServiceToken::finish(const std::shared_ptr<Flight>& flight, const Result<Grant>& outcome) {
  {
    std::lock_guard lock(mutex_);
    flight->outcome = outcome;
    if (outcome) {
      current_ = *outcome;
      last_back_off_ = std::chrono::seconds(0);
      refused_until_ = {};
    }
    if (pending_ == flight) pending_.reset();
  }
  flight->done.close();
}

std::chrono::seconds ServiceToken::back_off() {
  std::lock_guard lock(mutex_);
  last_back_off_ =
      last_back_off_.count() == 0 ? kFirstBackOff : std::min(last_back_off_ * 2, kMaxBackOff);
  refused_until_ = SteadyClock::now() + last_back_off_;
  return last_back_off_;
}

void ServiceToken::refused(const std::string& stale) {
  std::lock_guard lock(mutex_);
  if (current_ && current_->token == stale) current_.reset();
}

net::awaitable<Result<ServiceToken::Grant>> ServiceToken::authenticate() {
  ++authentications_;
  const std::string tokens_url = v3_url(credentials_.auth_url, "/auth/tokens");
  auto url = http::parse_http_url(tokens_url);
  if (!url) co_return keystone_unavailable();  // not reached: the options were checked
  http::ClientRequest request;
  request.method = "POST";
  request.target = url->target;
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.repeatable = true;  // a second authentication only issues a second token
  const std::string body = password_auth_request(credentials_.scope);
  const std::string_view body_view(body);
  const auto started = SteadyClock::now();
  auto reply = co_await client_.fetch(url->origin, request, body_view, kMaxReplyBytes);
  using Outcome = AuthMetrics::Authentication;
  auto report = [&](Outcome outcome) {
    if (metrics_) metrics_->authenticated(outcome, SteadyClock::now() - started);
  };
  if (!reply) {
    report(Outcome::unreachable);
    spdlog::error("cannot authenticate the service user: Keystone at {} cannot be reached: {}",
                  url->origin.text(), reply.error().message());
    co_return keystone_unavailable();
  }
  auto token = reply->headers.get("X-Subject-Token");
  auto info = reply->status == 201 ? parse_token_info(reply->body)
                                   : Result<TokenInfo>(Error::bad_gateway(""));
  if (reply->status >= 400 && reply->status < 500) {
    report(Outcome::refused);
    // Refused credentials are the operator's to fix: say so with Keystone's reason, once.
    auto wait = back_off();
    spdlog::error(
        "cannot authenticate the service user {} at {}: HTTP {}: {} (check {}); not asking "
        "Keystone again for {} s",
        credentials_.scope.user, tokens_url, reply->status, reply->body.substr(0, kLoggedBodyBytes),
        credentials_.config_name, wait.count());
    co_return keystone_unavailable();
  }
  if (!token || !info) {
    report(Outcome::error);
    spdlog::error("cannot authenticate the service user {} at {}: HTTP {}: {}",
                  credentials_.scope.user, tokens_url, reply->status,
                  reply->body.substr(0, kLoggedBodyBytes));
    co_return keystone_unavailable();
  }
  report(Outcome::issued);
  Grant out;
  out.token = std::string(*token);
  if (!credentials_.interface.empty())
    out.identity_endpoint =
        find_identity_endpoint(reply->body, credentials_.interface, credentials_.region);
  if (out.identity_endpoint.empty() && !credentials_.interface.empty()) {
    spdlog::warn("the service catalog has no {} identity endpoint{}{}; using auth_url",
                 credentials_.interface, credentials_.region.empty() ? "" : " in region ",
                 credentials_.region);
  }
  if (out.identity_endpoint.empty()) out.identity_endpoint = credentials_.auth_url;
  auto lifetime =
      std::chrono::duration_cast<SteadyClock::duration>(info->expires_at - clock_.now());
  lifetime = std::max(lifetime, SteadyClock::duration::zero());
  out.refresh_at =
      SteadyClock::now() + lifetime - std::min<SteadyClock::duration>(kRenewBefore, lifetime / 2);
  co_return out;
}

}  // namespace glance::common::auth
