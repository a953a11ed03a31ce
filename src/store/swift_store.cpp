#include "store/swift_store.h"

#include "common/hex_digest.h"
#include "common/http/client.h"
#include "common/http/query_string.h"
#include "store/parallel_digests.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using common::http::ClientReply;
using common::http::ClientRequest;
using common::http::ClientResponseHead;
using common::http::Headers;
using common::http::percent_encode;

namespace {

constexpr std::string_view kSeparator = "://";
// Container listings come a page of at most 10,000 names at a time.
constexpr size_t kMaxListingBytes = 8 << 20;
// Swift limits object names to 1024 bytes; a segment adds its suffix to the image id.
constexpr size_t kMaxIdBytes = 512;
// The ETag of an empty body, sent with the manifest so Swift checks it arrived intact.
constexpr std::string_view kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
const std::string kNoBody;

std::string strip_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  return std::string(s);
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t v = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::string object_path(const std::string& container, const std::string& object) {
  return "/" + percent_encode(container) + "/" + percent_encode(object);
}

// Maps a Swift answer that is not the success expected (spec §10.7).
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

// Random hex naming one writer's segments, so that two uploads of the same image id, which the
// api lets race until one activates, never write to each other's segments.
std::string writer_nonce() {
  unsigned char bytes[6];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// What an image id may be as a Swift object name: nothing that reads as a path.
bool is_safe_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxIdBytes && id.front() != '.' &&
         id.find('/') == std::string::npos &&
         std::none_of(id.begin(), id.end(), [](char c) { return c >= 0 && c < 0x20; });
}

}  // namespace

// ---- Location URIs -------------------------------------------------------------------------

Result<SwiftLocation> SwiftLocation::parse(std::string_view uri) {
  auto sep = uri.find(kSeparator);
  if (sep == std::string_view::npos) return Error::bad_request("Invalid location: not a URI");
  // As upstream: "swift://user:key@http://auth/..." must be written swift+http://.
  if (uri.find(kSeparator, sep + kSeparator.size()) != std::string_view::npos)
    return Error::bad_request(
        "Invalid Swift URI: it may contain only one scheme; write swift+http://user:key@auth/... "
        "rather than swift://user:key@http://auth/...");
  const std::string scheme = common::http::to_lower(uri.substr(0, sep));
  SwiftLocation out;
  if (scheme == "swift" || scheme == "swift+https")
    out.https = true;
  else if (scheme == "swift+http")
    out.https = false;
  else if (scheme == "swift+config")
    return Error::bad_request(
        "swift+config locations need swift_store_config_file, which this store does not read");
  else
    return Error::bad_request("Invalid location: not a Swift URI");
  std::string_view rest = uri.substr(sep + kSeparator.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  // The user holds ':' and an unquoted key may hold '@': split at the last of each.
  auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    return Error::bad_request("Invalid Swift URI: the location is missing user:key information");
  std::string_view credentials = authority.substr(0, at);
  auto colon = credentials.rfind(':');
  if (colon == std::string_view::npos)
    return Error::bad_request("Invalid Swift URI: badly formed credentials");
  auto user = common::http::percent_decode(credentials.substr(0, colon));
  auto key = common::http::percent_decode(credentials.substr(colon + 1));
  if (!user || !key || user->empty())
    return Error::bad_request("Invalid Swift URI: badly formed credentials");
  std::string host(authority.substr(at + 1));
  std::string trimmed = strip_slashes(path);
  auto last = trimmed.rfind('/');
  if (host.empty() || last == std::string::npos)
    return Error::bad_request("Invalid Swift URI: it needs an auth address, container and object");
  out.object = trimmed.substr(last + 1);
  trimmed.resize(last);
  auto before = trimmed.rfind('/');
  out.container = before == std::string::npos ? trimmed : trimmed.substr(before + 1);
  std::string auth_path = before == std::string::npos ? "" : trimmed.substr(0, before);
  if (out.container.empty() || out.object.empty())
    return Error::bad_request("Invalid Swift URI: it needs an auth address, container and object");
  out.user = std::move(*user);
  out.key = std::move(*key);
  out.auth_address = auth_path.empty() ? host : host + "/" + auth_path;
  return out;
}

std::string SwiftLocation::uri() const {
  return std::string(https ? "swift+https" : "swift+http") + "://" + percent_encode(user) + ":" +
         percent_encode(key) + "@" + auth_address + "/" + container + "/" + object;
}

SwiftCredentials SwiftLocation::credentials() const {
  return {std::string(https ? "https://" : "http://") + auth_address, user, key};
}

// ---- Requests --------------------------------------------------------------------------------

struct SwiftStore::Backend {
  explicit Backend(const SwiftStoreConfig& c, SwiftLocation base_location)
      : config(c),
        base(std::move(base_location)),
        client(client_config(c)),
        auth(client, auth_options(c)) {}

  static common::http::ClientConfig client_config(const SwiftStoreConfig& c) {
    common::http::ClientConfig out;
    out.verify_tls = !c.auth_insecure;
    out.ca_file = c.cacert;
    return out;
  }
  static SwiftAuthOptions auth_options(const SwiftStoreConfig& c) {
    return {c.auth_version, c.service_type, c.endpoint_type, c.region, c.endpoint};
  }

  SwiftStoreConfig config;
  SwiftLocation base;  // the configured account; container and object empty
  common::http::HttpClient client;
  SwiftAuth auth;
};

namespace {

using Backend = SwiftStore::Backend;

struct Prepared {
  common::http::Origin origin;
  ClientRequest request;
  std::string token;
};

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

// A request with a small body and answer. A 401 means the cached token was revoked or expired:
// it is replaced and the request sent once more.
Task<ClientReply> call(Backend& b, const SwiftCredentials& who, const char* method,
                       const std::string& path, const Headers& headers, const std::string& body,
                       const AddressCheck* check = nullptr) {
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

struct Opened {
  std::unique_ptr<ClientExchange> exchange;
  ClientResponseHead head;
};

// A GET whose body is streamed to the caller; retried once on a 401 like call().
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

// Deletes `names` one by one. Never fails: what cannot be deleted is logged.
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
    auto page = nlohmann::json::parse(reply->body, nullptr, false);
    if (page.is_discarded() || !page.is_array())
      co_return Error::bad_gateway("Swift's listing of container " + container + " is not JSON");
    if (page.empty()) co_return names;
    for (const auto& entry : page)
      if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
        names.push_back(entry["name"].get<std::string>());
  }
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

Error size_mismatch(uint64_t declared, uint64_t received) {
  return Error::bad_request("Supplied size (" + std::to_string(declared) +
                            ") and size generated from uploaded image (" +
                            std::to_string(received) + ") did not match.");
}

}  // namespace

// ---- Writing ---------------------------------------------------------------------------------

namespace {

// Streams one image into Swift. An image of a known size below large_object_size is one PUT
// with Content-Length and If-None-Match: *, so that a finished upload of the same id is never
// overwritten. Any other goes up as segments "<id>-<nonce>-00001", "-00002", ... of
// large_object_chunk_size, each one PUT whose body is what the write() calls that fill it pass
// (Content-Length when the image size is known, chunked otherwise); commit() then writes the
// zero-byte DLO manifest "<id>" with X-Object-Manifest "<container>/<id>-<nonce>-". Only one PUT
// is open at a time and nothing is buffered.
//
// The nonce departs from upstream's "<id>-00001": the api lets two uploads of one image race
// until one activates, and with shared segment names the loser would overwrite, then delete,
// the winner's segments; a crashed upload's leftovers would also join a later manifest.
class SwiftWriter final : public ImageWriter {
 public:
  SwiftWriter(std::shared_ptr<Backend> backend, SwiftLocation where, uint64_t declared,
              net::any_io_executor executor)
      : backend_(std::move(backend)),
        where_(std::move(where)),
        who_(where_.credentials()),
        declared_(declared),
        single_(declared > 0 && declared < backend_->config.large_object_size),
        prefix_(where_.object + "-" + writer_nonce() + "-"),
        executor_(std::move(executor)) {}

  ~SwiftWriter() override {
    part_.reset();
    if (state_ == State::finished || created_.empty()) return;
    // Nobody called abort(): delete in the background; the coroutine holds the backend.
    auto backend = backend_;
    auto who = who_;
    auto container = where_.container;
    auto names = std::move(created_);
    net::co_spawn(executor_, delete_objects(backend, who, container, names), net::detached);
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override { co_await discard(); }

 private:
  enum class State { writing, failed, finished };

  Task<void> open_part();
  Task<void> close_part();
  Task<void> put_manifest();
  Task<StoredImage> seal();
  net::awaitable<void> discard();
  Error fail(Error e) {
    state_ = State::failed;
    part_.reset();
    return e;
  }
  std::string what(const std::string& name) const {
    return "object " + where_.container + "/" + name;
  }

  std::shared_ptr<Backend> backend_;
  SwiftLocation where_;
  SwiftCredentials who_;
  uint64_t declared_;
  bool single_;
  std::string prefix_;  // of this writer's segment names
  net::any_io_executor executor_;
  ParallelDigests digests_;
  State state_ = State::writing;
  uint64_t size_ = 0;  // bytes passed to write()
  uint64_t sent_ = 0;  // bytes handed to PUT bodies
  // The PUT being streamed: the object it creates, its token, its fill and its length.
  std::unique_ptr<ClientExchange> part_;
  std::string part_name_;
  std::string part_token_;
  uint64_t part_bytes_ = 0;
  uint64_t part_limit_ = 0;
  size_t segments_ = 0;
  std::string etag_;                  // Swift's ETag of the single object
  std::vector<std::string> created_;  // objects of this writer to delete if it fails
};

Task<void> SwiftWriter::write(std::span<const char> data) {
  if (state_ != State::writing) co_return Error::internal("write after the upload ended");
  // A declared size went out in Content-Length headers: more bytes cannot be sent.
  if (declared_ > 0 && size_ + data.size() > declared_)
    co_return fail(size_mismatch(declared_, size_ + data.size()));
  digests_.add(data);
  size_ += data.size();
  while (!data.empty()) {
    if (!part_) {
      auto opened = co_await open_part();
      if (!opened) co_return opened;
    }
    auto n = static_cast<size_t>(std::min<uint64_t>(data.size(), part_limit_ - part_bytes_));
    auto written = co_await part_->write(data.first(n));
    if (!written)
      co_return fail(Error::unavailable("Swift upload of " + what(part_name_) +
                                        " failed: " + written.error().message()));
    part_bytes_ += n;
    sent_ += n;
    data = data.subspan(n);
    if (part_bytes_ == part_limit_) {
      auto closed = co_await close_part();
      if (!closed) co_return closed;
    }
  }
  co_return Result<void>();
}

Task<void> SwiftWriter::open_part() {
  Headers headers;
  auto framing = ClientRequest::Framing::length;
  if (single_) {
    part_name_ = where_.object;
    part_limit_ = declared_;
    headers.set("If-None-Match", "*");
  } else {
    char number[24];
    std::snprintf(number, sizeof number, "%05zu", ++segments_);
    part_name_ = prefix_ + number;
    part_limit_ = backend_->config.large_object_chunk_size;
    if (declared_ > 0)
      part_limit_ = std::min(part_limit_, declared_ - sent_);
    else
      framing = ClientRequest::Framing::chunked;
  }
  const std::string path = object_path(where_.container, part_name_);
  auto p = co_await prepare(*backend_, who_, "PUT", path, headers, nullptr);
  if (!p) co_return fail(p.error());
  p->request.framing = framing;
  p->request.content_length = part_limit_;
  auto exchange = co_await backend_->client.start(p->origin, p->request);
  if (!exchange)
    co_return fail(Error::unavailable("Swift cannot be reached: " + exchange.error().message()));
  // Segment names are this writer's alone; the single object is only ours once Swift took it.
  if (!single_) created_.push_back(part_name_);
  part_ = std::move(*exchange);
  part_token_ = std::move(p->token);
  part_bytes_ = 0;
  co_return Result<void>();
}

Task<void> SwiftWriter::close_part() {
  auto head = co_await part_->response();
  if (!head)
    co_return fail(Error::unavailable("Swift upload of " + what(part_name_) +
                                      " failed: " + head.error().message()));
  // Read the short answer to its end, so that the connection can serve the next part.
  co_await part_->read_all(64 * 1024);
  part_.reset();
  const unsigned status = head->status;
  if (status / 100 == 2) {
    if (single_) {
      created_.push_back(part_name_);
      etag_ = unquoted(head->headers.get("ETag").value_or(""));
    }
    co_return Result<void>();
  }
  if (status == 412) co_return fail(Error::conflict("Swift already has an image at this location"));
  if (status == 401) {
    // The body is gone, so this upload cannot be retried; the next one gets a new token.
    backend_->auth.invalidate(who_, part_token_);
    co_return fail(Error::unavailable("Swift refused the store's token during the upload of " +
                                      what(part_name_) + "; a new upload authenticates again"));
  }
  co_return fail(status_error(status, "PUT of " + what(part_name_)));
}

Task<void> SwiftWriter::put_manifest() {
  Headers headers;
  headers.set("X-Object-Manifest",
              percent_encode(where_.container) + "/" + percent_encode(prefix_));
  headers.set("ETag", std::string(kEmptyMd5));
  // Two uploads of one id may both reach here: the first manifest wins.
  headers.set("If-None-Match", "*");
  const std::string path = object_path(where_.container, where_.object);
  auto reply = co_await call(*backend_, who_, "PUT", path, headers, kNoBody);
  if (!reply) co_return fail(reply.error());
  if (reply->status / 100 == 2) co_return Result<void>();
  if (reply->status == 412)
    co_return fail(Error::conflict("Swift already has an image at this location"));
  co_return fail(status_error(reply->status, "PUT of the manifest " + what(where_.object)));
}

Task<StoredImage> SwiftWriter::commit() {
  auto stored = co_await seal();
  // After a failed commit nothing of this upload is left.
  if (!stored) co_await discard();
  co_return stored;
}

Task<StoredImage> SwiftWriter::seal() {
  if (state_ != State::writing) co_return Error::internal("commit after the upload ended");
  if (declared_ > 0 && size_ != declared_) co_return fail(size_mismatch(declared_, size_));
  if (part_) {
    auto closed = co_await close_part();
    if (!closed) co_return closed.error();
  }
  auto digests = digests_.finish();
  if (single_) {
    if (etag_ != digests.md5)
      co_return fail(Error::internal("Swift's ETag of " + what(where_.object) + " (" + etag_ +
                                     ") is not the MD5 of the data sent (" + digests.md5 +
                                     "); the object is removed"));
  } else {
    auto manifest = co_await put_manifest();
    if (!manifest) co_return manifest.error();
  }
  state_ = State::finished;
  co_return StoredImage{Location{where_.uri()}, size_, std::move(digests.md5),
                        std::move(digests.sha256)};
}

net::awaitable<void> SwiftWriter::discard() {
  part_.reset();
  // The hashing threads may still read the caller's last chunk.
  digests_.wait();
  if (state_ == State::finished) co_return;
  state_ = State::failed;
  auto names = std::move(created_);
  created_.clear();
  co_await delete_objects(backend_, who_, where_.container, names);
}

// The answer to a zero-length span: no bytes.
class EmptyBody final : public common::http::BodyReader {
 public:
  net::awaitable<Result<size_t>> read_some(std::span<char>) override { co_return size_t{0}; }
};

class SwiftReader final : public ImageReader {
 public:
  SwiftReader(std::unique_ptr<common::http::BodyReader> body, std::optional<uint64_t> size)
      : body_(std::move(body)), size_(size) {}

  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return size_; }
  ImageBody take_body() override { return common::http::StreamBody{std::move(body_), size_}; }

 private:
  std::unique_ptr<common::http::BodyReader> body_;
  std::optional<uint64_t> size_;
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

Result<std::unique_ptr<SwiftStore>> SwiftStore::create(const SwiftStoreConfig& config) {
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
  return std::unique_ptr<SwiftStore>(new SwiftStore(std::move(backend)));
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
  where.object = id;
  const SwiftCredentials who = where.credentials();
  auto ready = co_await ensure_container(b, who, where.container);
  if (!ready) co_return ready.error();
  const Headers none;
  const std::string path = object_path(where.container, id);
  auto head = co_await call(b, who, "HEAD", path, none, kNoBody);
  if (!head) co_return head.error();
  if (head->status / 100 == 2)
    co_return Error::conflict("Swift already has an image at this location");
  if (head->status != 404)
    co_return status_error(head->status, "object " + where.container + "/" + id);
  auto executor = co_await net::this_coro::executor;
  co_return std::unique_ptr<ImageWriter>(
      new SwiftWriter(backend_, std::move(where), declared_size, executor));
}

Task<std::unique_ptr<ImageReader>> SwiftStore::open(const Location& where,
                                                    const ReadOptions& options) {
  auto loc = SwiftLocation::parse(where.uri);
  if (!loc) co_return loc.error();
  if (options.span && options.span->length == 0) {
    auto exists = co_await size(where, options);
    if (!exists) co_return exists.error();
    co_return std::unique_ptr<ImageReader>(new SwiftReader(std::make_unique<EmptyBody>(), 0));
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
      new SwiftReader(std::move(opened->exchange), opened->head.content_length));
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
