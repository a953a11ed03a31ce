#include "store/swift/swift_auth.h"

#include "common/http/client.h"
#include "common/json_parse.h"
#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <charconv>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientReply;
using common::http::ClientRequest;
using SteadyClock = std::chrono::steady_clock;

namespace {

// glance_store's swift_store_expire_soon_interval: a token this close to its end is replaced
// before use, so that a long upload does not meet its expiry halfway through a segment.
constexpr std::chrono::seconds kExpireSoon{60};
// Keystone's token body carries the whole service catalog.
constexpr size_t kMaxTokenResponseBytes = 4 << 20;
// Enough of an auth server's refusal to tell why, without flooding the log.
constexpr size_t kLoggedBodyBytes = 300;

SteadyClock::time_point refresh_point(std::chrono::seconds lifetime) {
  auto margin = std::min<std::chrono::seconds>(kExpireSoon, lifetime / 2);
  return SteadyClock::now() + lifetime - margin;
}

// Maps an auth server's answer that carries no token. A refusal of our credentials is what an
// operator must fix, so it is logged here with the server's reason.
Error auth_failure(const std::string& auth_url, const ClientReply& reply) {
  if (reply.status == 401 || reply.status == 403) {
    spdlog::error("Swift authentication at {} refused the store's credentials (HTTP {}): {}",
                  common::redact_credentials(auth_url), reply.status,
                  reply.body.substr(0, kLoggedBodyBytes));
    return Error::bad_gateway(
        "Swift authentication failed: the auth server refused the store's credentials (HTTP " +
        std::to_string(reply.status) + ")");
  }
  if (reply.status >= 500)
    return Error::unavailable("Swift authentication server answered HTTP " +
                              std::to_string(reply.status));
  return Error::bad_gateway("Swift authentication server answered HTTP " +
                            std::to_string(reply.status));
}

Error unreachable(const std::string& auth_url, const Error& why) {
  return Error::unavailable("Swift authentication server " + common::redact_credentials(auth_url) +
                            " cannot be reached: " + why.message());
}

}  // namespace

// One authentication in flight: its waiters sleep on `done` until the leader closes it.
struct SwiftAuth::Pending {
  explicit Pending(const net::any_io_executor& executor) : done(executor) {}
  net::experimental::concurrent_channel<void(boost::system::error_code)> done;
  std::optional<Error> error;  // the leader's failure, guarded by SwiftAuth::mutex_
};

SwiftAuth::SwiftAuth(common::http::HttpClient& client, SwiftAuthOptions options)
    : client_(client), options_(std::move(options)) {}

SwiftAuth::~SwiftAuth() = default;

Task<SwiftToken> SwiftAuth::token(const SwiftCredentials& who, const AddressCheck* check) {
  const Key key = key_of(who);
  auto executor = co_await net::this_coro::executor;
  for (;;) {
    std::shared_ptr<Pending> pending;
    bool lead = false;
    {
      std::lock_guard lock(mutex_);
      auto& entry = entries_[key];
      const auto& t = entry.token;
      if (t && (!t->refresh_at || SteadyClock::now() < *t->refresh_at)) co_return *t;
      if (!entry.pending) {
        entry.pending = std::make_shared<Pending>(executor);
        lead = true;
      }
      pending = entry.pending;
    }
    if (lead) {
      // Waiters must wake even if this coroutine is destroyed while it authenticates.
      struct Abandon {
        SwiftAuth* self;
        const Key& key;
        std::shared_ptr<Pending>& pending;
        bool armed = true;
        ~Abandon() {
          if (armed)
            self->finish(key, pending, Error::unavailable("Swift authentication abandoned"));
        }
      } abandon{this, key, pending};
      auto outcome = co_await authenticate(who, check);
      abandon.armed = false;
      finish(key, pending, outcome);
      co_return outcome;
    }
    // A closed channel completes every receive, pending or future, with an error.
    co_await pending->done.async_receive(net::as_tuple(net::use_awaitable));
    std::optional<Error> failed;
    {
      std::lock_guard lock(mutex_);
      failed = pending->error;
    }
    // The leader's failure is everyone's: retrying at once would only hammer the auth server.
    if (failed) co_return *failed;
  }
}

void SwiftAuth::finish(const Key& key, const std::shared_ptr<Pending>& pending,
                       const Result<SwiftToken>& outcome) {
  {
    std::lock_guard lock(mutex_);
    auto& entry = entries_[key];
    if (outcome)
      entry.token = *outcome;
    else
      pending->error = outcome.error();
    if (entry.pending == pending) entry.pending.reset();
  }
  pending->done.close();
}

void SwiftAuth::invalidate(const SwiftCredentials& who, std::string_view stale) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key_of(who));
  if (it != entries_.end() && it->second.token && it->second.token->token == stale)
    it->second.token.reset();
}

void SwiftAuth::adopt(const SwiftCredentials& who, SwiftToken token) {
  std::lock_guard lock(mutex_);
  entries_[key_of(who)].token = std::move(token);
}

Task<SwiftToken> SwiftAuth::authenticate(const SwiftCredentials& who, const AddressCheck* check) {
  ++authentications_;
  if (options_.version == 3) co_return co_await authenticate_v3(who, check);
  co_return co_await authenticate_v1(who, check);
}

Task<SwiftToken> SwiftAuth::authenticate_v1(const SwiftCredentials& who,
                                            const AddressCheck* check) {
  auto url = common::http::parse_http_url(who.auth_url);
  if (!url) co_return Error::bad_request("Invalid Swift auth address: " + url.error().message());
  ClientRequest request;
  request.method = "GET";
  request.target = url->target;
  request.headers.set("X-Auth-User", who.user);
  request.headers.set("X-Auth-Key", who.key);
  const std::string_view no_body;
  auto reply = co_await client_.fetch(url->origin, request, no_body, kMaxTokenResponseBytes, check);
  if (!reply) co_return unreachable(who.auth_url, reply.error());
  if (reply->status / 100 != 2) co_return auth_failure(who.auth_url, *reply);
  auto token = reply->headers.get("X-Auth-Token");
  if (!token) token = reply->headers.get("X-Storage-Token");
  auto storage_url = reply->headers.get("X-Storage-Url");
  if (!token || !storage_url)
    co_return Error::bad_gateway("Swift authentication answered without a token or storage URL");
  SwiftToken out{std::string(*token),
                 options_.endpoint.empty() ? std::string(*storage_url) : options_.endpoint,
                 std::nullopt};
  // tempauth says how many seconds the token has left.
  if (auto left = reply->headers.get("X-Auth-Token-Expires")) {
    long long seconds = 0;
    auto [end, err] = std::from_chars(left->data(), left->data() + left->size(), seconds);
    if (err == std::errc() && end == left->data() + left->size() && seconds >= 0)
      out.refresh_at = refresh_point(std::chrono::seconds(seconds));
  }
  co_return out;
}

Task<SwiftToken> SwiftAuth::authenticate_v3(const SwiftCredentials& who,
                                            const AddressCheck* check) {
  auto project_user = keystone::split_project_user(who.user);
  if (!project_user) co_return project_user.error();
  const std::string tokens_url = keystone::tokens_url(who.auth_url);
  auto url = common::http::parse_http_url(tokens_url);
  if (!url) co_return Error::bad_request("Invalid Keystone auth address: " + url.error().message());
  ClientRequest request;
  request.method = "POST";
  request.target = url->target;
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.repeatable = true;  // a second authentication only issues a second token
  const std::string body = keystone::password_request(*project_user, who.key);
  const std::string_view body_view(body);
  auto reply =
      co_await client_.fetch(url->origin, request, body_view, kMaxTokenResponseBytes, check);
  if (!reply) co_return unreachable(who.auth_url, reply.error());
  if (reply->status / 100 != 2) co_return auth_failure(tokens_url, *reply);
  auto token = reply->headers.get("X-Subject-Token");
  if (!token) co_return Error::bad_gateway("Keystone answered without an X-Subject-Token");
  auto facts = keystone::parse_token_response(reply->body, options_);
  if (!facts) co_return facts.error();
  SwiftToken out{std::string(*token), std::move(facts->storage_url), std::nullopt};
  if (facts->expires_at) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(*facts->expires_at -
                                                                 std::chrono::system_clock::now());
    out.refresh_at = refresh_point(std::max(left, std::chrono::seconds(0)));
  }
  co_return out;
}

namespace keystone {

using nlohmann::json;

Result<ProjectUser> split_project_user(std::string_view user) {
  auto colon = user.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == user.size())
    return Error::bad_request("Keystone authentication needs swift_store_user as \"project:user\"");
  return ProjectUser{std::string(user.substr(0, colon)), std::string(user.substr(colon + 1))};
}

std::string tokens_url(std::string_view auth_url) {
  std::string base(auth_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.ends_with("/v3")) base += "/v3";
  return base + "/auth/tokens";
}

std::string password_request(const ProjectUser& who, std::string_view password,
                             std::string_view domain_id) {
  json domain = {{"id", domain_id}};
  json user = {{"name", who.user}, {"domain", domain}, {"password", password}};
  json identity = {{"methods", json::array({"password"})}, {"password", {{"user", user}}}};
  json scope = {{"project", {{"name", who.project}, {"domain", domain}}}};
  return common::dump_json(json{{"auth", {{"identity", identity}, {"scope", scope}}}});
}

std::string interface_of(std::string_view endpoint_type) {
  std::string t = common::http::to_lower(endpoint_type);
  if (t.ends_with("url")) t.resize(t.size() - 3);
  return t;
}

namespace {
std::string text_of(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The endpoint glance_store's swiftclient would pick: the first match in catalog order.
std::optional<std::string> find_endpoint(const json& catalog, const SwiftAuthOptions& options) {
  const std::string interface = interface_of(options.endpoint_type);
  for (const auto& service : catalog) {
    if (!service.is_object() || text_of(service, "type") != options.service_type) continue;
    auto endpoints = service.find("endpoints");
    if (endpoints == service.end() || !endpoints->is_array()) continue;
    for (const auto& endpoint : *endpoints) {
      if (!endpoint.is_object() || text_of(endpoint, "interface") != interface) continue;
      if (!options.region.empty() && text_of(endpoint, "region_id") != options.region &&
          text_of(endpoint, "region") != options.region)
        continue;
      std::string url = text_of(endpoint, "url");
      if (!url.empty()) return url;
    }
  }
  return std::nullopt;
}
}  // namespace

Result<TokenFacts> parse_token_response(std::string_view body, const SwiftAuthOptions& options) {
  // A token with a full service catalog runs to hundreds of KiB, hence the larger bound.
  common::JsonLimits limits;
  limits.max_bytes = 16 << 20;
  auto doc = common::parse_json(body, limits);
  if (!doc || !doc->is_object() || !doc->contains("token") || !(*doc)["token"].is_object())
    return Error::bad_gateway("Keystone's token response is not a token");
  const json& token = (*doc)["token"];
  TokenFacts facts;
  if (auto expires = text_of(token, "expires_at"); !expires.empty())
    facts.expires_at = common::parse_iso8601(expires);
  if (!options.endpoint.empty()) {
    facts.storage_url = options.endpoint;
    return facts;
  }
  auto catalog = token.find("catalog");
  std::optional<std::string> url;
  if (catalog != token.end() && catalog->is_array()) url = find_endpoint(*catalog, options);
  if (!url)
    return Error::bad_gateway("Keystone's service catalog has no " + options.service_type +
                              " endpoint with interface " + interface_of(options.endpoint_type) +
                              (options.region.empty() ? "" : " in region " + options.region));
  facts.storage_url = std::move(*url);
  return facts;
}

}  // namespace keystone

}  // namespace glance::store
