#include "api/http_registry_client.h"

#include "api/registry_errors.h"
#include "common/image_json.h"
#include "common/json_parse.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <mutex>

namespace glance::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using common::Error;
using common::Image;
using common::Result;
using nlohmann::json;
using tcp = net::ip::tcp;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {
// Registry answers are JSON image lists; bound them so a broken peer cannot exhaust memory.
constexpr uint64_t kMaxReplyBytes = 256ull << 20;

// A reply as a document, or null when it is not JSON within the limits, which every caller
// reports as an unexpected answer.
json reply_document(const std::string& body) {
  common::JsonLimits limits;
  limits.max_bytes = kMaxReplyBytes;
  auto document = common::parse_json(body, limits);
  return document ? std::move(*document) : json();
}

struct Reply {
  unsigned status = 0;
  std::string body;
};

struct Outgoing {
  bhttp::verb verb;
  std::string target;
  std::string body;
  std::optional<bool> purge;
};

void add_identity(bhttp::request<bhttp::string_body>& req, const Caller& caller,
                  bool send_identity) {
  req.set("X-Openstack-Request-ID", caller.request_id);
  const auto& ctx = caller.context;
  if (ctx.auth_token) req.set("X-Auth-Token", *ctx.auth_token);
  if (!send_identity) return;
  std::string roles;
  for (const auto& r : ctx.roles) roles += (roles.empty() ? "" : ",") + r;
  req.set("X-Identity-Status", "Confirmed");
  if (ctx.user_id) req.set("X-User-Id", *ctx.user_id);
  if (ctx.tenant) req.set("X-Tenant-Id", *ctx.tenant);
  req.set("X-Roles", roles);
}

Result<Image> image_from_reply(const Reply& reply) {
  auto j = reply_document(reply.body);
  if (!j.is_object() || !j.contains("image"))
    return Error::internal("registry returned an unexpected image document");
  return common::image_from_json(j["image"]);
}

Result<std::vector<Image>> images_from_reply(const Reply& reply) {
  auto j = reply_document(reply.body);
  if (!j.is_object() || !j.contains("images") || !j["images"].is_array())
    return Error::internal("registry returned an unexpected image list");
  std::vector<Image> out;
  for (const auto& item : j["images"]) {
    auto img = common::image_from_json(item);
    if (!img) return img.error();
    out.push_back(std::move(*img));
  }
  return out;
}

std::string image_target(const std::string& id) {
  return "/images/" + common::http::percent_encode(id);
}

std::string member_target(const std::string& image_id, const std::string& member) {
  return image_target(image_id) + "/members/" + common::http::percent_encode(member);
}

// The array under `key` of a registry answer, or internal when the document is not one.
Result<json> array_from_reply(const Reply& reply, const char* key) {
  auto j = reply_document(reply.body);
  if (!j.is_object() || !j.contains(key) || !j[key].is_array())
    return Error::internal(std::string("registry returned an unexpected ") + key + " list");
  return std::move(j[key]);
}

// One string field of a registry list entry; internal when it is missing.
Result<std::string> string_field(const json& entry, const char* key) {
  if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string())
    return Error::internal(std::string("registry list entry without ") + key);
  return entry[key].get<std::string>();
}

bool can_share_of(const json& entry) {
  return entry.contains("can_share") && entry["can_share"].is_boolean() &&
         entry["can_share"].get<bool>();
}
}  // namespace

struct HttpRegistryClient::Impl {
  net::io_context& ioc;
  RegistryClientConfig config;
  std::string host_header;
  std::mutex idle_mutex;
  std::vector<std::unique_ptr<beast::tcp_stream>> idle;

  Impl(net::io_context& ioc, RegistryClientConfig c) : ioc(ioc), config(std::move(c)) {
    // Upstream treats the wildcard address as "this host".
    if (config.host.empty() || config.host == "0.0.0.0") config.host = "127.0.0.1";
    host_header = config.host + ":" + std::to_string(config.port);
  }

  std::unique_ptr<beast::tcp_stream> take_idle() {
    std::lock_guard lock(idle_mutex);
    if (idle.empty()) return nullptr;
    auto s = std::move(idle.back());
    idle.pop_back();
    return s;
  }

  void give_back(std::unique_ptr<beast::tcp_stream> s) {
    std::lock_guard lock(idle_mutex);
    if (idle.size() < config.max_idle_connections) idle.push_back(std::move(s));
  }

  net::awaitable<Result<std::unique_ptr<beast::tcp_stream>>> connect() {
    tcp::resolver resolver(ioc);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(config.host, std::to_string(config.port), kTuple);
    if (rec) co_return registry_unreachable("cannot resolve " + config.host + ": " + rec.message());
    auto stream = std::make_unique<beast::tcp_stream>(net::make_strand(ioc));
    stream->expires_after(config.connect_timeout);
    auto [ec, ep] = co_await stream->async_connect(endpoints, kTuple);
    if (ec)
      co_return registry_unreachable("cannot connect to " + host_header + ": " + ec.message());
    stream->socket().set_option(tcp::no_delay(true));
    co_return std::move(stream);
  }

  // One exchange on one connection. *stale is set when a reused connection failed before any
  // answer, which is safe to retry: the registry closed it while idle.
  net::awaitable<Result<Reply>> exchange(beast::tcp_stream& stream,
                                         bhttp::request<bhttp::string_body>& req, bool* keep) {
    if (config.timeout.count() > 0)
      stream.expires_after(config.timeout);
    else
      stream.expires_never();
    auto [wec, wn] = co_await bhttp::async_write(stream, req, kTuple);
    if (wec) co_return registry_unreachable(wec.message());
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxReplyBytes);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (rec == beast::error::timeout)
      co_return registry_unreachable("no answer within registry_client_timeout");
    if (rec) co_return registry_unreachable(rec.message());
    *keep = parser.get().keep_alive() && buffer.size() == 0;
    co_return Reply{parser.get().result_int(), std::move(parser.get().body())};
  }

  // Takes `out` by reference: g++ 12 mishandles class-type coroutine parameters passed by
  // value from temporaries (PR 99576), so callers keep a named Outgoing alive instead.
  net::awaitable<Result<Reply>> call(const Caller& caller, const Outgoing& out) {
    bhttp::request<bhttp::string_body> req{out.verb, out.target, 11};
    req.set(bhttp::field::host, host_header);
    req.set(bhttp::field::user_agent, "glance-api");
    req.set(bhttp::field::accept, "application/json");
    add_identity(req, caller, config.send_identity_headers);
    if (out.purge) req.set("X-Glance-Registry-Purge-Props", *out.purge ? "true" : "false");
    if (!out.body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = out.body;
    req.keep_alive(true);
    req.prepare_payload();

    for (int attempt = 0;; ++attempt) {
      auto stream = take_idle();
      bool reused = stream != nullptr;
      if (!stream) {
        auto fresh = co_await connect();
        if (!fresh) co_return fresh.error();
        stream = std::move(*fresh);
      }
      bool keep = false;
      auto reply = co_await exchange(*stream, req, &keep);
      if (!reply && reused && attempt == 0) continue;  // the registry closed an idle connection
      if (!reply) {
        spdlog::warn("{} registry call {} {} failed: {}", caller.request_id,
                     std::string(bhttp::to_string(out.verb)), out.target, reply.error().message());
        co_return reply.error();
      }
      if (keep) give_back(std::move(stream));
      if (reply->status >= 200 && reply->status < 300) co_return std::move(*reply);
      co_return registry_error(reply->status, reply->body);
    }
  }

  net::awaitable<Result<Image>> image_call(const Caller& caller, const Outgoing& out) {
    auto reply = co_await call(caller, out);
    if (!reply) co_return reply.error();
    co_return image_from_reply(*reply);
  }
};

HttpRegistryClient::HttpRegistryClient(net::io_context& ioc, RegistryClientConfig config)
    : impl_(std::make_unique<Impl>(ioc, std::move(config))) {}

HttpRegistryClient::~HttpRegistryClient() = default;

RegistryClient::Call<std::vector<Image>> HttpRegistryClient::list(
    const Caller& caller, const common::http::QueryParams& params, bool detail) {
  std::string target = detail ? "/images/detail" : "/images";
  if (!params.empty()) target += "?" + common::http::encode_query(params);
  const Outgoing out{bhttp::verb::get, std::move(target), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return images_from_reply(*reply);
}

RegistryClient::Call<Image> HttpRegistryClient::get(const Caller& caller, const std::string& id) {
  const Outgoing out{bhttp::verb::get, image_target(id), {}, {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::create(const Caller& caller,
                                                       const common::ImageFields& fields) {
  std::string body = common::dump_json(json{{"image", common::image_fields_to_json(fields)}});
  const Outgoing out{bhttp::verb::post, "/images", std::move(body), {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::update(
    const Caller& caller, const std::string& id, const common::ImageFields& fields, bool purge,
    std::optional<common::ImageStatus> from_state) {
  json body = {{"image", common::image_fields_to_json(fields)}};
  body["from_state"] = from_state ? json(std::string(to_string(*from_state))) : json(nullptr);
  const Outgoing out{bhttp::verb::put, image_target(id), common::dump_json(body), purge};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::remove(const Caller& caller,
                                                       const std::string& id) {
  const Outgoing out{bhttp::verb::delete_, image_target(id), {}, {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<int64_t> HttpRegistryClient::storage_usage(const Caller& caller,
                                                                const std::string& owner,
                                                                const std::string& exclude_image) {
  common::http::QueryParams query{{"exclude_image", exclude_image}};
  const Outgoing out{
      bhttp::verb::get,
      "/usage/" + common::http::percent_encode(owner) + "?" + common::http::encode_query(query),
      {},
      {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto j = reply_document(reply->body);
  if (!j.is_object() || !j.contains("usage") || !j["usage"].is_number_integer())
    co_return Error::internal("registry returned an unexpected usage document");
  co_return j["usage"].get<int64_t>();
}

RegistryClient::Call<std::string> HttpRegistryClient::health(const Caller& caller) {
  const Outgoing out{bhttp::verb::get, "/healthcheck/detailed", {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return std::move(reply->body);
}

RegistryClient::Call<std::vector<common::Membership>> HttpRegistryClient::list_members(
    const Caller& caller, const std::string& image_id) {
  const Outgoing out{bhttp::verb::get, image_target(image_id) + "/members", {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto items = array_from_reply(*reply, "members");
  if (!items) co_return items.error();
  std::vector<common::Membership> members;
  for (const auto& entry : *items) {
    auto id = string_field(entry, "member_id");
    if (!id) co_return id.error();
    members.push_back({std::move(*id), can_share_of(entry)});
  }
  co_return members;
}

RegistryClient::Call<void> HttpRegistryClient::replace_members(const Caller& caller,
                                                               const std::string& image_id,
                                                               const json& body) {
  const Outgoing out{
      bhttp::verb::put, image_target(image_id) + "/members", common::dump_json(body), {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

RegistryClient::Call<void> HttpRegistryClient::add_member(const Caller& caller,
                                                          const std::string& image_id,
                                                          const std::string& member,
                                                          std::optional<bool> can_share) {
  std::string body;
  if (can_share) body = common::dump_json(json{{"member", {{"can_share", *can_share}}}});
  const Outgoing out{bhttp::verb::put, member_target(image_id, member), std::move(body), {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

RegistryClient::Call<void> HttpRegistryClient::remove_member(const Caller& caller,
                                                             const std::string& image_id,
                                                             const std::string& member) {
  const Outgoing out{bhttp::verb::delete_, member_target(image_id, member), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

RegistryClient::Call<std::vector<common::SharedImage>> HttpRegistryClient::shared_images(
    const Caller& caller, const std::string& member) {
  const Outgoing out{
      bhttp::verb::get, "/shared-images/" + common::http::percent_encode(member), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto items = array_from_reply(*reply, "shared_images");
  if (!items) co_return items.error();
  std::vector<common::SharedImage> shared;
  for (const auto& entry : *items) {
    auto id = string_field(entry, "image_id");
    if (!id) co_return id.error();
    shared.push_back({std::move(*id), can_share_of(entry)});
  }
  co_return shared;
}

}  // namespace glance::api
