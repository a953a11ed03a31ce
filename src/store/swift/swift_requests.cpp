#include "store/swift/swift_requests.h"

#include "common/http/query_string.h"

#include <spdlog/spdlog.h>

namespace glance::store::swift {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientReply;
using common::http::Headers;
using common::http::percent_encode;

namespace {

// Container listings come a page of at most 10,000 names at a time.
constexpr size_t kMaxListingBytes = 8 << 20;

}  // namespace

const std::string kNoBody;

std::string object_path(const std::string& container, const std::string& object) {
  return "/" + percent_encode(container) + "/" + percent_encode(object);
}

Error status_error(unsigned status, const std::string& what) {
  const std::string code = "HTTP " + std::to_string(status);
  if (status == 401 || status == 403)
    return Error::bad_gateway("Swift refused the store's credentials for " + what + " (" + code +
                              ")");
  if (status == 404) return Error::not_found("Swift could not find " + what);
  if (status == 507)
    return Error::storage_full("Swift has no room left for " + what + " (" + code + ")");
  if (status == 502 || status == 503 || status == 504)
    return Error::unavailable("Swift is unavailable: " + code + " for " + what);
  return Error::internal("Swift answered " + code + " for " + what);
}

Task<Prepared> prepare(Backend& b, const SwiftCredentials& who, const char* method,
                       const std::string& path, const Headers& headers, const AddressCheck* check) {
  auto token = co_await b.auth.token(who, check);
  if (!token) co_return token.error();
  std::string base = token->storage_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto url = common::http::parse_http_url(base + path);
  if (!url)
    co_return Error::bad_gateway("Swift's storage URL is unusable: " + url.error().message());
  Prepared out{url->origin, {}, token->token};
  out.request.method = method;
  out.request.target = url->target;
  out.request.headers = headers;
  out.request.headers.set("X-Auth-Token", token->token);
  co_return out;
}

Task<ClientReply> call(Backend& b, const SwiftCredentials& who, const char* method,
                       const std::string& path, const Headers& headers, const std::string& body,
                       const AddressCheck* check) {
  for (int attempt = 0;; ++attempt) {
    auto p = co_await prepare(b, who, method, path, headers, check);
    if (!p) co_return p.error();
    const std::string_view body_view(body);
    auto reply = co_await b.client.fetch(p->origin, p->request, body_view, kMaxListingBytes, check);
    if (!reply) co_return Error::unavailable("Swift cannot be reached: " + reply.error().message());
    if (reply->status != 401 || attempt > 0) co_return reply;
    b.auth.invalidate(who, p->token);
  }
}

Task<Opened> get(Backend& b, const SwiftCredentials& who, const std::string& path,
                 const Headers& headers, const AddressCheck* check) {
  for (int attempt = 0;; ++attempt) {
    auto p = co_await prepare(b, who, "GET", path, headers, check);
    if (!p) co_return p.error();
    auto exchange = co_await b.client.start(p->origin, p->request, check);
    if (!exchange)
      co_return Error::unavailable("Swift cannot be reached: " + exchange.error().message());
    auto head = co_await (*exchange)->response();
    if (!head) co_return Error::unavailable("Swift cannot be reached: " + head.error().message());
    if (head->status != 401 || attempt > 0)
      co_return Opened{std::move(*exchange), std::move(*head)};
    b.auth.invalidate(who, p->token);
  }
}

net::awaitable<void> delete_objects(std::shared_ptr<Backend> backend, SwiftCredentials who,
                                    std::string container, std::vector<std::string> names) {
  const Headers none;
  for (const auto& name : names) {
    const std::string path = object_path(container, name);
    auto reply = co_await call(*backend, who, "DELETE", path, none, kNoBody);
    if (!reply)
      spdlog::warn("could not delete Swift object {}/{}: {}", container, name,
                   reply.error().message());
    else if (reply->status / 100 != 2 && reply->status != 404)
      spdlog::warn("could not delete Swift object {}/{}: HTTP {}", container, name, reply->status);
  }
}

}  // namespace glance::store::swift
