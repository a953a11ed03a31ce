#include "api/http_registry_client.h"

#include "api/registry_client_metrics.h"
#include "api/registry_errors.h"
#include "api/registry_image_stream.h"
#include "common/image_json.h"
#include "common/json_parse.h"

#include "common/auth/service_token.h"
#include "common/http/client.h"

#include <spdlog/spdlog.h>
#include <boost/beast/http/verb.hpp>

#include <span>

namespace glance::api {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using common::Error;
using common::Image;
using common::Result;
using nlohmann::json;

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
  // The body still to be read, in place of `body`, for a success of a call that streams it.
  std::unique_ptr<common::http::ClientExchange> stream;
};

struct Outgoing {
  bhttp::verb verb;
  std::string target;
  std::string body;
  std::optional<bool> purge;
  // image_member_quota, for the registry to enforce on a member write.
  std::optional<int64_t> member_quota = std::nullopt;
  // image_tag_quota, for the registry to enforce on a tag add.
  std::optional<int64_t> tag_quota = std::nullopt;
  // A success's body is left to the caller to read (Reply::stream); errors are read whole.
  bool stream_reply = false;
};

void add_identity(common::http::Headers& headers, const Caller& caller,
                  const RegistryClientConfig& config) {
  headers.set("X-Openstack-Request-ID", caller.request_id);
  const auto& ctx = caller.context;
  if (ctx.auth_token && config.use_user_token) headers.set("X-Auth-Token", *ctx.auth_token);
  if (!config.send_identity_headers) return;
  std::string roles;
  for (const auto& r : ctx.roles) roles += (roles.empty() ? "" : ",") + r;
  headers.set("X-Identity-Status", "Confirmed");
  if (ctx.user_id) headers.set("X-User-Id", *ctx.user_id);
  if (ctx.tenant) headers.set("X-Tenant-Id", *ctx.tenant);
  headers.set("X-Roles", roles);
}

// A failed call is sent again only when that cannot do harm: reads always, writes only when
// the registry cannot have received the whole request. A write that may have been applied is
// not repeated even with a compare-and-set: a repeated activation would find the image
// already active and report a conflict for an upload that succeeded, and a repeated DELETE
// would answer 404 for an image it deleted, so its data would never be removed.
constexpr int kMaxAttempts = 2;

bool may_retry(bhttp::verb verb, bool reached) {
  if (verb == bhttp::verb::get || verb == bhttp::verb::head) return true;
  return !reached;
}

Result<Image> image_from_reply(const Reply& reply) {
  auto j = reply_document(reply.body);
  if (!j.is_object() || !j.contains("image"))
    return Error::internal("registry returned an unexpected image document");
  return common::image_from_json(j["image"]);
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

// The registry's v2 member routes; these exist under /v2 only, whichever Resource.
std::string v2_members_target(const std::string& image_id) {
  return "/v2/images/" + common::http::percent_encode(image_id) + "/members";
}

std::string v2_member_target(const std::string& image_id, const std::string& member) {
  return v2_members_target(image_id) + "/" + common::http::percent_encode(member);
}

Result<common::ImageMembership> membership_from_reply(const Reply& reply) {
  auto j = reply_document(reply.body);
  if (!j.is_object() || !j.contains("member"))
    return Error::internal("registry returned an unexpected member document");
  return common::membership_from_json(j["member"]);
}

bool can_share_of(const json& entry) {
  return entry.contains("can_share") && entry["can_share"].is_boolean() &&
         entry["can_share"].get<bool>();
}
}  // namespace

struct HttpRegistryClient::Impl {
  RegistryClientConfig config;
  std::string images_root;  // "/images", or "/v2/images" for the registry's v2 resource
  common::http::Origin origin;
  common::http::HttpClient http;
  common::auth::ServiceToken* own_token;
  RegistryClientMetrics* metrics = nullptr;

  Impl(RegistryClientConfig c, std::string root, common::auth::ServiceToken* own)
      : config(normalized(std::move(c))),
        images_root(std::move(root)),
        origin{config.tls, config.host, config.port},
        http(client_config(config)),
        own_token(own) {}

  static RegistryClientConfig normalized(RegistryClientConfig c) {
    // Upstream treats the wildcard address as "this host".
    if (c.host.empty() || c.host == "0.0.0.0") c.host = "127.0.0.1";
    return c;
  }

  static common::http::ClientConfig client_config(const RegistryClientConfig& c) {
    common::http::ClientConfig out;
    out.connect_timeout = c.connect_timeout;
    // registry_client_timeout = 0 means no limit; the client has no such value, so a day.
    out.io_timeout = c.timeout.count() > 0 ? c.timeout : std::chrono::hours(24);
    out.verify_tls = !c.tls_insecure;
    out.ca_file = c.ca_file;
    out.cert_file = c.cert_file;
    out.key_file = c.key_file;
    out.max_idle_per_origin = c.max_idle_connections;
    return out;
  }

  common::http::ClientRequest request_for(const Caller& caller, const Outgoing& out) const {
    common::http::ClientRequest req;
    req.method = std::string(bhttp::to_string(out.verb));
    req.target = out.target;
    // The registry's answers are read in pieces of at most 64 KiB (RegistryImageStream) or
    // whole and small: a larger buffer would only hold memory per call in flight (16 pages of
    // 1,000 images at once held 4 MiB more).
    req.read_buffer_bytes = 64 * 1024;
    req.headers.add("User-Agent", "glance-api");
    req.headers.add("Accept", "application/json");
    add_identity(req.headers, caller, config);
    if (out.purge) req.headers.add("X-Glance-Registry-Purge-Props", *out.purge ? "true" : "false");
    if (out.member_quota)
      req.headers.add("X-Image-Member-Quota", std::to_string(*out.member_quota));
    if (out.tag_quota) req.headers.add("X-Image-Tag-Quota", std::to_string(*out.tag_quota));
    if (!out.body.empty()) req.headers.add("Content-Type", "application/json");
    const bool has_body =
        !out.body.empty() || out.verb == bhttp::verb::put || out.verb == bhttp::verb::post;
    if (has_body) {
      req.framing = common::http::ClientRequest::Framing::length;
      req.content_length = out.body.size();
    }
    return req;
  }

  // One attempt. `*reached` tells whether the registry may have received the whole request:
  // until the last byte of a body is written it cannot have acted on it.
  net::awaitable<Result<Reply>> attempt(const common::http::ClientRequest& req, const Outgoing& out,
                                        bool* reached) {
    *reached = req.content_length == 0;  // without a body, the header may be the whole request
    auto exchange = co_await http.start(origin, req);
    if (!exchange) co_return registry_unreachable(exchange.error().message());
    if (!out.body.empty()) {
      auto written = co_await (*exchange)->write(std::span<const char>(out.body));
      if (!written) co_return registry_unreachable(written.error().message());
    }
    *reached = true;
    auto head = co_await (*exchange)->response();
    if (!head) co_return registry_unreachable(head.error().message());
    if (out.stream_reply && head->status >= 200 && head->status < 300)
      co_return Reply{head->status, {}, std::move(*exchange)};
    auto body = co_await (*exchange)->read_all(kMaxReplyBytes);
    if (!body) co_return registry_unreachable(body.error().message());
    co_return Reply{head->status, std::move(*body), nullptr};
  }

  // Takes `out` by reference: g++ 12 mishandles class-type coroutine parameters passed by
  // value from temporaries (PR 99576), so callers keep a named Outgoing alive instead.
  net::awaitable<Result<Reply>> call(const Caller& caller, const Outgoing& out) {
    if (!metrics) co_return co_await call_unmetered(caller, out, nullptr);
    const auto started = std::chrono::steady_clock::now();
    unsigned status = 0;
    auto reply = co_await call_unmetered(caller, out, &status);
    metrics->record(out.verb, status, std::chrono::steady_clock::now() - started);
    co_return reply;
  }

  // `*status` (when given) gets the registry's last answer.
  net::awaitable<Result<Reply>> call_unmetered(const Caller& caller, const Outgoing& out,
                                               unsigned* status) {
    auto req = request_for(caller, out);
    std::string token;
    for (int attempt_no = 0;; ++attempt_no) {
      if (own_token) {
        auto grant = co_await own_token->grant();
        if (!grant) co_return grant.error();
        token = grant->token;
        req.headers.set("X-Auth-Token", token);
      }
      bool reached = false;
      if (status) *status = 0;
      auto reply = co_await attempt(req, out, &reached);
      if (!reply) {
        if (attempt_no < kMaxAttempts - 1 && may_retry(out.verb, reached)) {
          if (metrics) metrics->retried();
          continue;
        }
        spdlog::warn("{} registry call {} {} failed: {}", caller.request_id, req.method, out.target,
                     reply.error().message());
        co_return reply.error();
      }
      if (status) *status = reply->status;
      if (reply->status >= 200 && reply->status < 300) co_return std::move(*reply);
      // The registry refused the api's own token (revoked, expired early): renew it once. No
      // harm in repeating: a refused request was not acted on.
      if (reply->status == 401 && own_token) {
        own_token->refused(token);
        if (attempt_no < kMaxAttempts - 1) {
          if (metrics) metrics->retried();
          continue;
        }
      }
      auto error = registry_error(reply->status, reply->body);
      // The member quota is the api's limit that the registry enforces for it: its 413 is the
      // caller's answer, unlike other registry limits.
      if (reply->status == 413 && (out.member_quota || out.tag_quota))
        error = Error::payload_too_large(error.message());
      co_return error;
    }
  }

  std::string image_target(const std::string& id) const {
    return images_root + "/" + common::http::percent_encode(id);
  }

  net::awaitable<Result<Image>> image_call(const Caller& caller, const Outgoing& out) {
    auto reply = co_await call(caller, out);
    if (!reply) co_return reply.error();
    co_return image_from_reply(*reply);
  }
};

HttpRegistryClient::HttpRegistryClient(RegistryClientConfig config, Resource resource,
                                       common::auth::ServiceToken* own_token)
    : impl_(std::make_unique<Impl>(std::move(config),
                                   resource == Resource::v2_images ? "/v2/images" : "/images",
                                   own_token)) {}

HttpRegistryClient::~HttpRegistryClient() = default;

void HttpRegistryClient::set_metrics(RegistryClientMetrics* metrics) {
  impl_->metrics = metrics;
}

RegistryClient::Call<std::vector<Image>> HttpRegistryClient::list(
    const Caller& caller, const common::http::QueryParams& params, bool detail) {
  auto stream = co_await list_stream(caller, params, detail);
  if (!stream) co_return stream.error();
  co_return co_await read_all_images(**stream);
}

RegistryClient::Call<std::unique_ptr<RegistryImageStream>> HttpRegistryClient::list_stream(
    const Caller& caller, const common::http::QueryParams& params, bool detail) {
  std::string target = impl_->images_root + (detail ? "/detail" : "");
  if (!params.empty()) target += "?" + common::http::encode_query(params);
  Outgoing out{bhttp::verb::get, std::move(target), {}, {}};
  out.stream_reply = true;
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return std::make_unique<RegistryImageStream>(std::move(reply->stream), kMaxReplyBytes);
}

RegistryClient::Call<Image> HttpRegistryClient::get(const Caller& caller, const std::string& id) {
  const Outgoing out{bhttp::verb::get, impl_->image_target(id), {}, {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::create(const Caller& caller,
                                                       const common::ImageFields& fields) {
  std::string body = common::dump_json(json{{"image", common::image_fields_to_json(fields)}});
  const Outgoing out{bhttp::verb::post, impl_->images_root, std::move(body), {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::update(
    const Caller& caller, const std::string& id, const common::ImageFields& fields, bool purge,
    std::optional<common::ImageStatus> from_state) {
  json body = {{"image", common::image_fields_to_json(fields)}};
  body["from_state"] = from_state ? json(std::string(to_string(*from_state))) : json(nullptr);
  const Outgoing out{bhttp::verb::put, impl_->image_target(id), common::dump_json(body), purge};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::remove(const Caller& caller,
                                                       const std::string& id) {
  const Outgoing out{bhttp::verb::delete_, impl_->image_target(id), {}, {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::claim_scrub(const Caller& caller,
                                                            const std::string& id,
                                                            std::chrono::seconds lease) {
  const Outgoing out{bhttp::verb::put,
                     image_target(id) + "/scrubber/claim",
                     common::dump_json(json{{"lease", lease.count()}}),
                     {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::finish_scrub(const Caller& caller,
                                                             const std::string& id,
                                                             const std::vector<int64_t>& scrubbed) {
  const Outgoing out{bhttp::verb::put,
                     image_target(id) + "/scrubber/finish",
                     common::dump_json(json{{"locations", scrubbed}}),
                     {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<Image> HttpRegistryClient::restore_pending(const Caller& caller,
                                                                const std::string& id,
                                                                std::chrono::seconds lease) {
  const Outgoing out{bhttp::verb::put,
                     image_target(id) + "/scrubber/restore",
                     common::dump_json(json{{"lease", lease.count()}}),
                     {}};
  co_return co_await impl_->image_call(caller, out);
}

RegistryClient::Call<std::vector<common::PendingLocation>>
HttpRegistryClient::list_pending_locations(const Caller& caller, int64_t after, int limit) {
  common::http::QueryParams query{{"marker", std::to_string(after)},
                                  {"limit", std::to_string(limit)}};
  const Outgoing out{
      bhttp::verb::get, "/scrubber/locations?" + common::http::encode_query(query), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto j = reply_document(reply->body);
  if (!j.is_object() || !j.contains("locations") || !j["locations"].is_array())
    co_return Error::internal("registry returned an unexpected location list");
  std::vector<common::PendingLocation> out_list;
  for (const auto& item : j["locations"]) {
    auto l = common::pending_location_from_json(item);
    if (!l) co_return l.error();
    out_list.push_back(std::move(*l));
  }
  co_return out_list;
}

RegistryClient::Call<common::LocationClaim> HttpRegistryClient::claim_location_scrub(
    const Caller& caller, const std::string& image_id, int64_t location_id,
    std::chrono::seconds lease) {
  const Outgoing out{
      bhttp::verb::put,
      image_target(image_id) + "/scrubber/locations/" + std::to_string(location_id) + "/claim",
      common::dump_json(json{{"lease", lease.count()}}),
      {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto j = reply_document(reply->body);
  if (!j.is_object() || !j.contains("location"))
    co_return Error::internal("registry returned an unexpected location claim");
  co_return common::location_claim_from_json(j["location"]);
}

RegistryClient::Call<common::ImageLocation> HttpRegistryClient::finish_location_scrub(
    const Caller& caller, const std::string& image_id, int64_t location_id, bool scrubbed) {
  const Outgoing out{
      bhttp::verb::put,
      image_target(image_id) + "/scrubber/locations/" + std::to_string(location_id) + "/finish",
      common::dump_json(json{{"scrubbed", scrubbed}}),
      {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto j = reply_document(reply->body);
  if (!j.is_object() || !j.contains("location"))
    co_return Error::internal("registry returned an unexpected location document");
  auto claim = common::location_claim_from_json(j["location"]);
  if (!claim) co_return claim.error();
  co_return std::move(claim->location);
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

RegistryClient::Call<RegistryClient::Reservation> HttpRegistryClient::reserve_storage(
    const Caller& caller, const std::string& id, int64_t size, int64_t quota) {
  std::string body = common::dump_json(json{{"size", size}, {"quota", quota}});
  const Outgoing out{
      bhttp::verb::put, "/reservations/" + common::http::percent_encode(id), std::move(body), {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto j = reply_document(reply->body);
  if (!j.is_object() || !j.contains("reserved") || !j["reserved"].is_boolean() ||
      !j.contains("usage") || !j["usage"].is_number_integer())
    co_return Error::internal("registry returned an unexpected reservation document");
  co_return Reservation{j["reserved"].get<bool>(), j["usage"].get<int64_t>()};
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

RegistryClient::Call<void> HttpRegistryClient::replace_members(
    const Caller& caller, const std::string& image_id, const json& body,
    std::optional<int64_t> member_quota) {
  const Outgoing out{bhttp::verb::put,
                     image_target(image_id) + "/members",
                     common::dump_json(body),
                     {},
                     member_quota};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

RegistryClient::Call<void> HttpRegistryClient::add_member(const Caller& caller,
                                                          const std::string& image_id,
                                                          const std::string& member,
                                                          std::optional<bool> can_share,
                                                          std::optional<int64_t> member_quota) {
  std::string body;
  if (can_share) body = common::dump_json(json{{"member", {{"can_share", *can_share}}}});
  const Outgoing out{
      bhttp::verb::put, member_target(image_id, member), std::move(body), {}, member_quota};
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

RegistryClient::Call<void> HttpRegistryClient::add_tag(const Caller& caller,
                                                       const std::string& image_id,
                                                       const std::string& tag,
                                                       std::optional<int64_t> tag_quota) {
  const Outgoing out{bhttp::verb::put,
                     "/v2/images/" + common::http::percent_encode(image_id) + "/tags/" +
                         common::http::percent_encode(tag),
                     {},
                     {},
                     std::nullopt,
                     tag_quota};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

RegistryClient::Call<void> HttpRegistryClient::remove_tag(const Caller& caller,
                                                          const std::string& image_id,
                                                          const std::string& tag) {
  const Outgoing out{bhttp::verb::delete_,
                     "/v2/images/" + common::http::percent_encode(image_id) + "/tags/" +
                         common::http::percent_encode(tag),
                     {},
                     {}};
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

RegistryClient::Call<std::vector<common::ImageMembership>> HttpRegistryClient::list_memberships(
    const Caller& caller, const std::string& image_id) {
  const Outgoing out{bhttp::verb::get, v2_members_target(image_id), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  auto items = array_from_reply(*reply, "members");
  if (!items) co_return items.error();
  std::vector<common::ImageMembership> members;
  for (const auto& entry : *items) {
    auto m = common::membership_from_json(entry);
    if (!m) co_return m.error();
    members.push_back(std::move(*m));
  }
  co_return members;
}

RegistryClient::Call<common::ImageMembership> HttpRegistryClient::get_membership(
    const Caller& caller, const std::string& image_id, const std::string& member) {
  const Outgoing out{bhttp::verb::get, v2_member_target(image_id, member), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return membership_from_reply(*reply);
}

RegistryClient::Call<common::ImageMembership> HttpRegistryClient::create_membership(
    const Caller& caller, const std::string& image_id, const std::string& member,
    std::optional<int64_t> member_quota) {
  const Outgoing out{bhttp::verb::post,
                     v2_members_target(image_id),
                     common::dump_json(json{{"member", member}}),
                     {},
                     member_quota};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return membership_from_reply(*reply);
}

RegistryClient::Call<common::ImageMembership> HttpRegistryClient::set_member_status(
    const Caller& caller, const std::string& image_id, const std::string& member,
    common::MemberStatus status) {
  const Outgoing out{bhttp::verb::put,
                     v2_member_target(image_id, member),
                     common::dump_json(json{{"status", std::string(to_string(status))}}),
                     {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return membership_from_reply(*reply);
}

RegistryClient::Call<void> HttpRegistryClient::delete_membership(const Caller& caller,
                                                                 const std::string& image_id,
                                                                 const std::string& member) {
  const Outgoing out{bhttp::verb::delete_, v2_member_target(image_id, member), {}, {}};
  auto reply = co_await impl_->call(caller, out);
  if (!reply) co_return reply.error();
  co_return Result<void>();
}

}  // namespace glance::api
