#include "store/swift/swift_store.h"

#include "common/http/client.h"
#include "common/http/query_string.h"
#include "common/json_parse.h"
#include "store/stream_reader.h"
#include "store/swift/swift_requests.h"
#include "store/swift/swift_writer.h"
#include "store/upload_name.h"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::Headers;
using common::http::percent_encode;
using swift::Backend;
using swift::call;
using swift::delete_objects;
using swift::get;
using swift::kNoBody;
using swift::object_path;
using swift::status_error;

namespace {

constexpr std::string_view kSeparator = "://";
// Swift limits object names to 1024 bytes; an upload adds its tag and a segment number.
constexpr size_t kMaxIdBytes = 512;
// A listing page holds up to 10,000 names of up to 1 KiB each, with their attributes.
const common::JsonLimits kListingLimits{.max_depth = common::JsonLimits{}.max_depth,
                                        .max_bytes = 32 << 20};

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t v = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// What an image id may be as a Swift object name: nothing that reads as a path.
bool is_safe_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxIdBytes && id.front() != '.' &&
         id.find('/') == std::string::npos &&
         std::none_of(id.begin(), id.end(), [](char c) { return c >= 0 && c < 0x20; });
}

// The names under `prefix` in `container`, page by page; empty when the container is gone.
Task<std::vector<std::string>> list_prefix(Backend& b, const SwiftCredentials& who,
                                           const std::string& container,
                                           const std::string& prefix) {
  std::vector<std::string> names;
  const Headers none;
  for (;;) {
    common::http::QueryParams query{{"format", "json"}, {"prefix", prefix}};
    if (!names.empty()) query.emplace_back("marker", names.back());
    const std::string path =
        "/" + percent_encode(container) + "?" + common::http::encode_query(query);
    auto reply = co_await call(b, who, "GET", path, none, kNoBody);
    if (!reply) co_return reply.error();
    if (reply->status == 404) co_return names;
    if (reply->status / 100 != 2) co_return status_error(reply->status, "container " + container);
    if (reply->status == 204 || reply->body.empty()) co_return names;
    auto page = common::parse_json(reply->body, kListingLimits);
    if (!page || !page->is_array())
      co_return Error::bad_gateway("Swift's listing of container " + container + " is not JSON");
    if (page->empty()) co_return names;
    for (const auto& entry : *page)
      if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
        names.push_back(entry["name"].get<std::string>());
  }
}

// Whether `container` holds a finished upload of image `id`: its bare id (what upstream and
// older locations name) or an upload's own "<id>-<tag>". Segments alone do not count: they
// belong to an upload still running, or are the leftovers of one that died.
Task<bool> has_upload(Backend& b, const SwiftCredentials& who, const std::string& container,
                      const std::string& id) {
  const Headers none;
  auto head = co_await call(b, who, "HEAD", object_path(container, id), none, kNoBody);
  if (!head) co_return head.error();
  if (head->status / 100 == 2) co_return true;
  if (head->status != 404) co_return status_error(head->status, "object " + container + "/" + id);
  auto names = co_await list_prefix(b, who, container, id + "-");
  if (!names) co_return names.error();
  co_return std::any_of(names->begin(), names->end(),
                        [&](const std::string& name) { return is_upload_name(name, id); });
}

// The container of image `id`: swift_store_container, or with a seed of N one of 16^N
// containers named after the id's first N hex digits (upstream's get_container_name).
std::string container_for(const SwiftStoreConfig& config, const std::string& id) {
  if (config.multiple_containers_seed <= 0) return config.container;
  std::string lower = common::http::to_lower(id);
  size_t n = static_cast<size_t>(config.multiple_containers_seed);
  size_t dashes = std::count(lower.begin(), lower.begin() + std::min(n, lower.size()), '-');
  return config.container + "_" + lower.substr(0, n + dashes);
}

// The answer to a zero-length span: no bytes.
class EmptyBody final : public common::http::BodyReader {
 public:
  net::awaitable<Result<size_t>> read_some(std::span<char>) override { co_return size_t{0}; }
};

// HEAD a container; create it when missing and the configuration says so.
Task<void> ensure_container(Backend& b, const SwiftCredentials& who, const std::string& container) {
  const Headers none;
  const std::string path = "/" + percent_encode(container);
  auto head = co_await call(b, who, "HEAD", path, none, kNoBody);
  if (!head) co_return head.error();
  if (head->status / 100 == 2) co_return Result<void>();
  if (head->status != 404) co_return status_error(head->status, "container " + container);
  if (!b.config.create_container_on_put)
    co_return Error::internal("The container " + container +
                              " does not exist in Swift. Please set the "
                              "swift_store_create_container_on_put option to add container to "
                              "Swift automatically.");
  spdlog::info("Creating Swift container {}", container);
  auto put = co_await call(b, who, "PUT", path, none, kNoBody);
  if (!put) co_return put.error();
  if (put->status / 100 != 2)
    co_return status_error(put->status, "creating container " + container);
  co_return Result<void>();
}

}  // namespace

// ---- The store -------------------------------------------------------------------------------

Result<std::unique_ptr<SwiftStore>> SwiftStore::create(const SwiftStoreConfig& config,
                                                       BlockingPool& pool) {
  if (config.auth_address.empty())
    return Error::bad_request("the swift store needs swift_store_auth_address");
  if (config.user.empty() || config.key.empty())
    return Error::bad_request("the swift store needs swift_store_user and swift_store_key");
  if (config.auth_version == 2)
    return Error::bad_request(
        "swift_store_auth_version 2 (Keystone v2.0) is not supported: set 3 for Keystone v3 or "
        "1 for tempauth/swauth");
  if (config.auth_version != 1 && config.auth_version != 3)
    return Error::bad_request("swift_store_auth_version must be 1 or 3");
  if (config.auth_version == 3)
    if (auto project_user = keystone::split_project_user(config.user); !project_user)
      return project_user.error();
  if (config.container.empty() || config.container.find('/') != std::string::npos)
    return Error::bad_request("swift_store_container must be a container name");
  if (config.multiple_containers_seed < 0 || config.multiple_containers_seed > 32)
    return Error::bad_request("swift_store_multiple_containers_seed must be between 0 and 32");
  if (config.large_object_size == 0 || config.large_object_chunk_size == 0)
    return Error::bad_request("swift_store_large_object_size and _chunk_size must be positive");
  SwiftLocation base;
  std::string_view address = config.auth_address;
  // As upstream, an address without a scheme is reached over https.
  if (auto sep = address.find(kSeparator); sep != std::string_view::npos) {
    auto scheme = common::http::to_lower(address.substr(0, sep));
    if (scheme != "http" && scheme != "https")
      return Error::bad_request("swift_store_auth_address must be an http or https URL");
    base.https = scheme == "https";
    address.remove_prefix(sep + kSeparator.size());
  }
  while (!address.empty() && address.back() == '/') address.remove_suffix(1);
  base.auth_address = std::string(address);
  base.user = config.user;
  base.key = config.key;
  if (auto url = common::http::parse_http_url(base.credentials().auth_url); !url)
    return Error::bad_request("swift_store_auth_address: " + url.error().message());
  if (!config.endpoint.empty())
    if (auto url = common::http::parse_http_url(config.endpoint); !url)
      return Error::bad_request("swift_store_endpoint: " + url.error().message());
  auto backend = std::make_shared<Backend>(config, std::move(base));
  return std::unique_ptr<SwiftStore>(new SwiftStore(std::move(backend), pool));
}

SwiftStore::~SwiftStore() = default;

const SwiftStoreConfig& SwiftStore::config() const {
  return backend_->config;
}

SwiftAuth& SwiftStore::auth() {
  return backend_->auth;
}

Task<std::unique_ptr<ImageWriter>> SwiftStore::begin_add(const std::string& id,
                                                         uint64_t declared_size) {
  if (!is_safe_id(id)) co_return Error::bad_request("Invalid image id for the swift store: " + id);
  auto& b = *backend_;
  SwiftLocation where = b.base;
  where.container = container_for(b.config, id);
  const SwiftCredentials who = where.credentials();
  auto ready = co_await ensure_container(b, who, where.container);
  if (!ready) co_return ready.error();
  auto taken = co_await has_upload(b, who, where.container, id);
  if (!taken) co_return taken.error();
  if (*taken) co_return Error::conflict("Swift already has an image at this location");
  where.object = upload_name(id);
  auto executor = co_await net::this_coro::executor;
  co_return make_swift_writer(backend_, std::move(where), declared_size, pool_, executor);
}

Task<std::unique_ptr<ImageReader>> SwiftStore::open(const Location& where,
                                                    const ReadOptions& options) {
  auto loc = SwiftLocation::parse(where.uri);
  if (!loc) co_return loc.error();
  if (options.span && options.span->length == 0) {
    auto exists = co_await size(where, options);
    if (!exists) co_return exists.error();
    co_return std::unique_ptr<ImageReader>(new StreamReader(std::make_unique<EmptyBody>(), 0));
  }
  const SwiftCredentials who = loc->credentials();
  const AddressCheck* check = options.check_address ? &options.check_address : nullptr;
  const std::string path = object_path(loc->container, loc->object);
  const std::string what = "object " + loc->container + "/" + loc->object;
  Headers headers;
  if (options.span)
    headers.set("Range", "bytes=" + std::to_string(options.span->offset) + "-" +
                             std::to_string(options.span->offset + options.span->length - 1));
  auto opened = co_await get(*backend_, who, path, headers, check);
  if (!opened) co_return opened.error();
  const unsigned status = opened->head.status;
  if (status != 200 && status != 206) co_return status_error(status, what);
  if (options.span && status != 206)
    co_return Error::internal("Swift ignored the Range of a GET of " + what);
  co_return std::unique_ptr<ImageReader>(
      new StreamReader(std::move(opened->exchange), opened->head.content_length));
}

Task<uint64_t> SwiftStore::size(const Location& where, const ReadOptions& options) {
  auto loc = SwiftLocation::parse(where.uri);
  if (!loc) co_return loc.error();
  const SwiftCredentials who = loc->credentials();
  const AddressCheck* check = options.check_address ? &options.check_address : nullptr;
  const Headers none;
  const std::string path = object_path(loc->container, loc->object);
  auto head = co_await call(*backend_, who, "HEAD", path, none, kNoBody, check);
  if (!head) co_return head.error();
  if (head->status / 100 != 2)
    co_return status_error(head->status, "object " + loc->container + "/" + loc->object);
  auto length = head->headers.get("Content-Length");
  co_return length ? parse_u64(*length).value_or(0) : 0;
}

Task<void> SwiftStore::remove(const Location& where) {
  auto loc = SwiftLocation::parse(where.uri);
  if (!loc) co_return loc.error();
  auto& b = *backend_;
  const SwiftCredentials who = loc->credentials();
  const std::string what = "object " + loc->container + "/" + loc->object;
  const Headers none;
  const std::string path = object_path(loc->container, loc->object);
  auto head = co_await call(b, who, "HEAD", path, none, kNoBody);
  if (!head) co_return head.error();
  if (head->status / 100 != 2) co_return status_error(head->status, what);
  std::string target = path;
  if (common::http::iequals(head->headers.get("X-Static-Large-Object").value_or(""), "true")) {
    // Swift deletes an SLO's segments itself.
    target += "?multipart-manifest=delete";
  } else if (auto manifest = head->headers.get("X-Object-Manifest")) {
    const std::string value(*manifest);
    auto removed = co_await remove_segments(value, *loc);
    if (!removed) co_return removed;
  }
  auto deleted = co_await call(b, who, "DELETE", target, none, kNoBody);
  if (!deleted) co_return deleted.error();
  if (deleted->status / 100 != 2) co_return status_error(deleted->status, what);
  co_return Result<void>();
}

Task<SwiftStore::Kept> SwiftStore::kept_by(const std::optional<Location>& keep,
                                           const std::string& container) {
  Kept kept;
  if (!keep) co_return kept;
  auto loc = SwiftLocation::parse(keep->uri);
  if (!loc) co_return loc.error();
  if (loc->container != container) co_return kept;
  kept.object = loc->object;
  const Headers none;
  auto head = co_await call(*backend_, loc->credentials(), "HEAD",
                            object_path(container, loc->object), none, kNoBody);
  if (!head) co_return head.error();
  if (head->status == 404) co_return kept;
  if (head->status / 100 != 2)
    co_return status_error(head->status, "object " + container + "/" + loc->object);
  const std::string manifest(head->headers.get("X-Object-Manifest").value_or(""));
  auto slash = manifest.find('/');
  if (slash == std::string::npos) co_return kept;
  auto manifest_container = common::http::percent_decode(manifest.substr(0, slash));
  auto prefix = common::http::percent_decode(manifest.substr(slash + 1));
  if (!manifest_container || !prefix)
    co_return Error::internal("Swift object " + container + "/" + loc->object +
                              " has an unusable X-Object-Manifest; nothing is removed");
  if (*manifest_container == container) kept.segment_prefix = *prefix;
  co_return kept;
}

Task<void> SwiftStore::remove_leftovers(const std::string& id,
                                        const std::optional<Location>& keep) {
  if (!is_safe_id(id)) co_return Error::bad_request("Invalid image id for the swift store: " + id);
  auto& b = *backend_;
  const std::string container = container_for(b.config, id);
  auto kept = co_await kept_by(keep, container);
  if (!kept) co_return kept.error();
  const SwiftCredentials who = b.base.credentials();
  auto names = co_await list_prefix(b, who, container, id);
  if (!names) co_return names.error();
  std::erase_if(*names, [&](const std::string& name) {
    return !is_upload_object(name, id) || name == kept->object ||
           (!kept->segment_prefix.empty() && name.starts_with(kept->segment_prefix));
  });
  if (names->empty()) co_return Result<void>();
  // Segments first: a manifest deleted last never stands for fewer segments than it had.
  std::stable_partition(names->begin(), names->end(),
                        [&](const std::string& name) { return !is_upload_name(name, id); });
  spdlog::warn("removing {} objects that uploads of image {} left in Swift container {}",
               names->size(), id, container);
  co_await delete_objects(backend_, who, container, std::move(*names));
  co_return Result<void>();
}

Task<void> SwiftStore::remove_segments(const std::string& manifest, const SwiftLocation& loc) {
  auto slash = manifest.find('/');
  auto container = common::http::percent_decode(manifest.substr(0, slash));
  auto prefix = slash == std::string::npos
                    ? std::optional<std::string>()
                    : common::http::percent_decode(manifest.substr(slash + 1));
  // An empty prefix would name every object of the container.
  if (!container || !prefix || container->empty() || prefix->empty())
    co_return Error::internal("Swift object " + loc.container + "/" + loc.object +
                              " has an unusable X-Object-Manifest; its segments are kept");
  const SwiftCredentials who = loc.credentials();
  auto names = co_await list_prefix(*backend_, who, *container, *prefix);
  if (!names) co_return names.error();
  // A prefix covering the manifest itself must not delete it before its turn.
  if (*container == loc.container) std::erase(*names, loc.object);
  co_await delete_objects(backend_, who, *container, *names);
  co_return Result<void>();
}

}  // namespace glance::store
