#include "store/s3_store.h"

#include "store/parallel_digests.h"

#include <spdlog/spdlog.h>
#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/sub_delim_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using s3::Request;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;
// S3's limits: part numbers run from 1 to 10,000; parts but the last hold at least 5 MiB.
constexpr uint64_t kMaxParts = 10000;
constexpr int64_t kMinChunkMiB = 5;
// Error documents are small; a body larger than this is not one.
constexpr size_t kErrorBodyLimit = 64 * 1024;
// g++ 12 mishandles temporaries passed to coroutines, so even an empty body is a named object.
const std::string kNoBody;

std::string_view strip_scheme(std::string_view host) {
  if (auto sep = host.find("://"); sep != std::string_view::npos) host.remove_prefix(sep + 3);
  while (!host.empty() && host.back() == '/') host.remove_suffix(1);
  return host;
}

// Userinfo may hold unreserved characters and sub-delimiters raw; ':', '@', '/' and '%' are
// encoded, so that the URI splits unambiguously.
std::string encode_credential(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars + boost::urls::sub_delim_chars);
}

// Upstream wrote credentials unencoded: text that is not valid percent-encoding is taken as it
// stands (AWS secrets hold no '%').
std::string decode_credential(std::string_view text) {
  auto encoded = boost::urls::make_pct_string_view(text);
  return encoded ? encoded->decode() : std::string(text);
}

// Image ids become keys: refuse anything a path-normalizing server could move elsewhere.
bool is_safe_key(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id.front() != '.' &&
         id.find('\0') == std::string::npos;
}

std::optional<uint64_t> content_length(const common::http::Headers& headers) {
  auto text = headers.get("Content-Length");
  uint64_t value = 0;
  if (!text) return std::nullopt;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::string object_name(const s3::Bucket& bucket, const std::string& key) {
  return "s3 object " + bucket.name + "/" + key;
}

// The reply of a failed exchange, read for its error document when it can be.
net::awaitable<Error> failure_of(ClientExchange& exchange, unsigned status, std::string what) {
  auto body = co_await exchange.read_all(kErrorBodyLimit);
  const std::string text = body ? *body : std::string();
  co_return s3::error_from(status, text, what);
}

// A HEAD of `key` (the bucket when empty). HEAD answers carry no error document, so a refusal
// is asked again as a GET (a one-key listing, an object's first byte) whose document names
// S3's reason (SignatureDoesNotMatch, InvalidAccessKeyId, RequestTimeTooSkewed, ...).
net::awaitable<Result<common::http::ClientReply>> head(s3::Client& client, const s3::Bucket& bucket,
                                                       const std::string& key,
                                                       const common::http::AddressCheck* check) {
  const Request head_request{"HEAD", key, {}, {}};
  auto reply = co_await client.fetch(bucket, head_request, kNoBody, check);
  if (!reply || reply->status == 200 || reply->status == 404) co_return reply;
  Request get{"GET", key, {}, {}};
  if (key.empty())
    get.query = {{"max-keys", "1"}};
  else
    get.headers = {{"Range", "bytes=0-0"}};
  auto detail = co_await client.fetch(bucket, get, kNoBody, check);
  if (detail && detail->status == reply->status) co_return detail;
  co_return reply;
}

class S3Reader final : public ImageReader {
 public:
  S3Reader(std::unique_ptr<ClientExchange> body, std::optional<uint64_t> size)
      : body_(std::move(body)), size_(size) {}

  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return size_; }
  ImageBody take_body() override { return common::http::StreamBody{std::move(body_), size_}; }

 private:
  std::unique_ptr<ClientExchange> body_;
  std::optional<uint64_t> size_;
};

}  // namespace

std::string s3_location_uri(const S3Location& location) {
  std::string uri = location.tls ? "s3+https://" : "s3://";
  if (!location.access_key.empty())
    uri +=
        encode_credential(location.access_key) + ":" + encode_credential(location.secret_key) + "@";
  return uri + location.host + "/" + location.bucket + "/" + location.key;
}

Result<S3Location> parse_s3_location(std::string_view uri) {
  const size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return Error::bad_request("Invalid location: not an s3 URI");
  const std::string scheme = common::http::to_lower(uri.substr(0, sep));
  if (scheme != "s3" && scheme != "s3+http" && scheme != "s3+https")
    return Error::bad_request("Invalid location: not an s3 URI");
  // As upstream: "s3://key:secret@https://host/..." must be written "s3+https://...".
  std::string_view rest = uri.substr(sep + 3);
  if (rest.find("://") != std::string_view::npos)
    return Error::bad_request("Invalid s3 location: more than one scheme; use s3+https://");
  S3Location location;
  location.tls = scheme == "s3+https";
  // Upstream's secrets may hold a raw '/', so the credentials end at the last '@' of the URI,
  // not of the authority; keys are image ids and bucket names hold no '@'.
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    size_t colon = credentials.find(':');
    if (colon == std::string_view::npos)
      return Error::bad_request("Invalid s3 location: badly formed credentials");
    location.access_key = decode_credential(credentials.substr(0, colon));
    location.secret_key = decode_credential(credentials.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t key_slash = rest.rfind('/');
  size_t bucket_slash = key_slash == std::string_view::npos || key_slash == 0
                            ? std::string_view::npos
                            : rest.rfind('/', key_slash - 1);
  if (bucket_slash == std::string_view::npos || bucket_slash == 0 ||
      key_slash == bucket_slash + 1 || key_slash + 1 == rest.size())
    return Error::bad_request("Invalid s3 location: expected <host>/<bucket>/<key>");
  location.host = std::string(rest.substr(0, bucket_slash));
  location.bucket = std::string(rest.substr(bucket_slash + 1, key_slash - bucket_slash - 1));
  location.key = std::string(rest.substr(key_slash + 1));
  return location;
}

// Receives one image: see S3Store for the three ways it goes out. `sent_` counts the bytes
// handed to the server, `received_` those handed to write().
class S3Writer final : public ImageWriter {
 public:
  S3Writer(s3::Client& client, s3::Bucket bucket, std::string key, std::string uri,
           uint64_t declared, uint64_t large_size, uint64_t chunk_size)
      : client_(client),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        uri_(std::move(uri)),
        declared_(declared) {
    if (declared == 0) {
      mode_ = Mode::buffered;
      part_size_ = chunk_size;
    } else {
      mode_ = declared < large_size ? Mode::single : Mode::multipart;
      // Parts grow past the configured size when 10,000 of them could not hold the image.
      part_size_ = std::max(chunk_size, (declared + kMaxParts - 1) / kMaxParts);
    }
  }
  ~S3Writer() override {
    if (!upload_id_.empty())
      spdlog::warn("multipart upload {} of {} left unfinished without abort()", upload_id_,
                   object_name(bucket_, key_));
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override;

 private:
  enum class Mode { single, multipart, buffered };

  Task<void> write_streamed(std::span<const char> data);
  Task<void> write_buffered(std::span<const char> data);
  Task<void> start_body(uint64_t length, bool whole_object);
  Task<void> finish_body();
  Task<void> send_buffer(bool whole_object);
  Task<void> create_upload();
  Task<void> complete_upload();
  Task<void> check_absent();
  net::awaitable<void> cleanup();
  Task<void> finish_now();

  s3::Client& client_;
  const s3::Bucket bucket_;
  const std::string key_;
  const std::string uri_;
  const uint64_t declared_;
  Mode mode_;
  uint64_t part_size_;
  ParallelDigests digests_;
  uint64_t received_ = 0;
  uint64_t sent_ = 0;

  // The request whose body is going out, and how many bytes it still expects.
  std::unique_ptr<ClientExchange> body_;
  uint64_t body_left_ = 0;
  bool body_is_object_ = false;
  std::string upload_id_;
  std::vector<std::string> etags_;  // per part, in part order
  std::vector<char> buffer_;        // Mode::buffered: at most one part
  // The whole object may exist under its key: cleanup must delete it.
  bool object_written_ = false;
  bool failed_ = false;
  bool committed_ = false;
};

Task<void> S3Writer::write(std::span<const char> data) {
  if (failed_ || committed_) co_return Error::internal("write after the image data was finished");
  if (mode_ != Mode::buffered && received_ + data.size() > declared_) {
    failed_ = true;
    co_return Error::bad_request("Size exceeds: expected " + std::to_string(declared_) +
                                 " bytes, got " + std::to_string(received_ + data.size()));
  }
  digests_.add(data);
  received_ += data.size();
  Result<void> written;
  if (mode_ == Mode::buffered)
    written = co_await write_buffered(data);
  else
    written = co_await write_streamed(data);
  if (!written) failed_ = true;
  co_return written;
}

Task<void> S3Writer::write_streamed(std::span<const char> data) {
  while (!data.empty()) {
    if (!body_) {
      const bool whole = mode_ == Mode::single;
      const uint64_t length = whole ? declared_ : std::min(part_size_, declared_ - sent_);
      if (auto started = co_await start_body(length, whole); !started) co_return started;
    }
    const std::span<const char> piece = data.first(std::min<uint64_t>(data.size(), body_left_));
    if (auto w = co_await body_->write(piece); !w) co_return w;
    body_left_ -= piece.size();
    sent_ += piece.size();
    data = data.subspan(piece.size());
    if (body_left_ == 0)
      if (auto finished = co_await finish_body(); !finished) co_return finished;
  }
  co_return Result<void>();
}

Task<void> S3Writer::write_buffered(std::span<const char> data) {
  while (!data.empty()) {
    // A full part goes out only once more data shows it is not the last.
    if (buffer_.size() == part_size_)
      if (auto sent = co_await send_buffer(false); !sent) co_return sent;
    const size_t n = std::min<uint64_t>(data.size(), part_size_ - buffer_.size());
    if (buffer_.size() + n > buffer_.capacity())
      buffer_.reserve(
          std::min<uint64_t>(part_size_, std::max(2 * buffer_.size(), buffer_.size() + n)));
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
    data = data.subspan(n);
  }
  co_return Result<void>();
}

Task<void> S3Writer::send_buffer(bool whole_object) {
  if (auto started = co_await start_body(buffer_.size(), whole_object); !started) co_return started;
  const std::span<const char> bytes(buffer_.data(), buffer_.size());
  if (auto w = co_await body_->write(bytes); !w) co_return w;
  body_left_ = 0;
  sent_ += bytes.size();
  if (auto finished = co_await finish_body(); !finished) co_return finished;
  buffer_.clear();
  co_return Result<void>();
}

Task<void> S3Writer::start_body(uint64_t length, bool whole_object) {
  Request request{"PUT", key_, {}, {}};
  if (!whole_object) {
    if (upload_id_.empty())
      if (auto created = co_await create_upload(); !created) co_return created;
    if (etags_.size() == kMaxParts)
      co_return Error::storage_full("The image needs more than 10000 parts of " +
                                    std::to_string(part_size_) +
                                    " bytes; raise s3_store_large_object_chunk_size");
    request.query = {{"partNumber", std::to_string(etags_.size() + 1)}, {"uploadId", upload_id_}};
  }
  const std::optional<uint64_t> body_length = length;
  auto exchange = co_await client_.start(bucket_, request, body_length);
  if (!exchange) co_return exchange.error();
  body_ = std::move(*exchange);
  body_left_ = length;
  body_is_object_ = whole_object;
  co_return Result<void>();
}

Task<void> S3Writer::finish_body() {
  auto exchange = std::move(body_);
  // Once the last byte is out the server may store the object whatever we read back.
  if (body_is_object_) object_written_ = true;
  auto head = co_await exchange->response();
  if (!head) co_return head.error();
  const std::string what = "uploading " + object_name(bucket_, key_);
  if (head->status / 100 != 2) {
    object_written_ = false;
    co_return co_await failure_of(*exchange, head->status, what);
  }
  if (!body_is_object_) {
    auto etag = head->headers.get("ETag");
    if (!etag)
      co_return Error::internal(what + ": no ETag for part " + std::to_string(etags_.size() + 1));
    etags_.emplace_back(*etag);
  }
  // Read to the end so the connection can carry the next part.
  if (auto rest = co_await exchange->read_all(kErrorBodyLimit); !rest) co_return rest.error();
  co_return Result<void>();
}

Task<void> S3Writer::create_upload() {
  const Request request{"POST", key_, {{"uploads", ""}}, {}};
  auto reply = co_await client_.fetch(bucket_, request, kNoBody);
  const std::string what = "starting a multipart upload of " + object_name(bucket_, key_);
  if (!reply) co_return reply.error();
  if (reply->status != 200) co_return s3::error_from(reply->status, reply->body, what);
  auto id = s3::xml_text(reply->body, "UploadId");
  if (!id || id->empty()) co_return Error::internal(what + ": no UploadId in the answer");
  upload_id_ = std::move(*id);
  co_return Result<void>();
}

Task<void> S3Writer::check_absent() {
  auto reply = co_await head(client_, bucket_, key_, nullptr);
  if (!reply) co_return reply.error();
  if (reply->status == 404) co_return Result<void>();
  if (reply->status == 200) co_return Error::conflict("Attempt to upload duplicate image: " + key_);
  co_return s3::error_from(reply->status, reply->body, "checking " + object_name(bucket_, key_));
}

Task<void> S3Writer::complete_upload() {
  if (auto absent = co_await check_absent(); !absent) co_return absent;
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags_.size(); ++i)
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           s3::xml_escape(etags_[i]) + "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  const Request request{"POST", key_, {{"uploadId", upload_id_}}, {}};
  auto reply = co_await client_.fetch(bucket_, request, xml);
  if (!reply) co_return reply.error();
  // S3 may answer 200 and report a failure in the body, after keeping the connection alive.
  if (reply->status != 200 || reply->body.find("<Error>") != std::string::npos)
    co_return s3::error_from(reply->status, reply->body,
                             "completing the multipart upload of " + object_name(bucket_, key_));
  upload_id_.clear();
  co_return Result<void>();
}

Task<void> S3Writer::finish_now() {
  if (mode_ != Mode::buffered) {
    if (received_ != declared_)
      co_return Error::bad_request("Size mismatch: expected " + std::to_string(declared_) +
                                   " bytes, got " + std::to_string(received_) + " bytes");
    if (mode_ == Mode::single) co_return Result<void>();  // stored with its last byte
    co_return co_await complete_upload();
  }
  if (upload_id_.empty()) {
    if (auto absent = co_await check_absent(); !absent) co_return absent;
    co_return co_await send_buffer(true);
  }
  if (auto sent = co_await send_buffer(false); !sent) co_return sent;
  co_return co_await complete_upload();
}

Task<StoredImage> S3Writer::commit() {
  if (failed_ || committed_) co_return Error::internal("commit after the image data was finished");
  auto digests = digests_.finish();
  if (auto finished = co_await finish_now(); !finished) {
    failed_ = true;
    co_await cleanup();
    co_return finished.error();
  }
  committed_ = true;
  std::vector<char>().swap(buffer_);
  co_return StoredImage{Location{uri_}, received_, std::move(digests.md5),
                        std::move(digests.sha256)};
}

net::awaitable<void> S3Writer::abort() {
  if (committed_) co_return;
  failed_ = true;
  digests_.wait();
  co_await cleanup();
}

// Never fails: what it cannot remove it logs.
net::awaitable<void> S3Writer::cleanup() {
  // Closing a connection in the middle of a body makes the server drop that body.
  body_.reset();
  const std::string what = object_name(bucket_, key_);
  if (!upload_id_.empty()) {
    const Request request{"DELETE", key_, {{"uploadId", upload_id_}}, {}};
    auto reply = co_await client_.fetch(bucket_, request, kNoBody);
    if (!reply || (reply->status / 100 != 2 && reply->status != 404))
      spdlog::warn("cannot abort multipart upload {} of {}: {}", upload_id_, what,
                   reply ? s3::error_from(reply->status, reply->body, "abort").message()
                         : reply.error().message());
    upload_id_.clear();
  }
  if (object_written_) {
    const Request request{"DELETE", key_, {}, {}};
    auto reply = co_await client_.fetch(bucket_, request, kNoBody);
    if (!reply || (reply->status / 100 != 2 && reply->status != 404))
      spdlog::warn("cannot remove the partial {}: {}", what,
                   reply ? s3::error_from(reply->status, reply->body, "delete").message()
                         : reply.error().message());
    object_written_ = false;
  }
  std::vector<char>().swap(buffer_);
}

S3Store::S3Store(const S3StoreConfig& config, s3::Endpoint endpoint, s3::UrlStyle style)
    : config_(config), endpoint_(std::move(endpoint)), style_(style), client_([&] {
        common::http::ClientConfig c;
        c.verify_tls = true;
        c.ca_file = config.s3_store_cacert;
        return c;
      }()) {
  const bool region_set = !config.s3_store_region_name.empty();
  bucket_ = s3::Bucket{endpoint_, config.s3_store_bucket,
                       s3::Credentials{config.s3_store_access_key, config.s3_store_secret_key, {}},
                       s3::region_for(endpoint_, config.s3_store_region_name),
                       s3::resolve_style(style_, endpoint_, region_set, config.s3_store_bucket)};
  home_.tls = endpoint_.origin.tls;
  home_.access_key = config.s3_store_access_key;
  home_.secret_key = config.s3_store_secret_key;
  home_.host = std::string(strip_scheme(config.s3_store_host));
  home_.bucket = config.s3_store_bucket;
}

Result<std::unique_ptr<S3Store>> S3Store::create(const S3StoreConfig& config) {
  for (const auto& [name, value] : {std::pair{"s3_store_host", &config.s3_store_host},
                                    {"s3_store_access_key", &config.s3_store_access_key},
                                    {"s3_store_secret_key", &config.s3_store_secret_key},
                                    {"s3_store_bucket", &config.s3_store_bucket}})
    if (value->empty())
      return Error::bad_request(std::string("[glance_store] ") + name +
                                " must be set for the s3 store");
  if (config.s3_store_large_object_chunk_size < kMinChunkMiB)
    return Error::bad_request("[glance_store] s3_store_large_object_chunk_size must be at least " +
                              std::to_string(kMinChunkMiB) + " (MiB)");
  if (config.s3_store_large_object_size < 0)
    return Error::bad_request("[glance_store] s3_store_large_object_size must not be negative");
  auto style = s3::parse_url_style(config.s3_store_bucket_url_format);
  if (!style)
    return Error::bad_request(
        "[glance_store] s3_store_bucket_url_format must be auto, path or "
        "virtual");
  const bool tls = config.s3_store_host.starts_with("https://");
  auto endpoint = s3::parse_endpoint(config.s3_store_host, tls);
  if (!endpoint) return endpoint.error();
  return std::unique_ptr<S3Store>(new S3Store(config, std::move(*endpoint), *style));
}

Result<S3Store::Object> S3Store::object_at(const Location& where) const {
  auto location = parse_s3_location(where.uri);
  if (!location) return location.error();
  auto endpoint = s3::parse_endpoint(location->host, location->tls);
  if (!endpoint) return endpoint.error();
  s3::Credentials credentials{location->access_key, location->secret_key, {}};
  if (location->access_key.empty()) {
    // Our keys go only to our own server, never to a host a client named.
    if (location->host != home_.host || location->tls != home_.tls)
      return Error::bad_request("Invalid s3 location: no credentials for " + location->host);
    credentials = bucket_.credentials;
  }
  const bool region_set = !config_.s3_store_region_name.empty();
  s3::Bucket bucket{*endpoint, location->bucket, std::move(credentials),
                    s3::region_for(*endpoint, config_.s3_store_region_name),
                    s3::resolve_style(style_, *endpoint, region_set, location->bucket)};
  return Object{std::move(bucket), std::move(location->key)};
}

Task<void> S3Store::ensure_bucket() {
  if (bucket_ready_) co_return Result<void>();
  const std::string what = "checking s3 bucket " + bucket_.name;
  const std::string bucket_itself;
  auto reply = co_await head(client_, bucket_, bucket_itself, nullptr);
  if (!reply) co_return reply.error();
  if (reply->status == 404 && !config_.s3_store_create_bucket_on_put)
    co_return Error::internal("The bucket " + bucket_.name +
                              " does not exist in S3. Set s3_store_create_bucket_on_put to "
                              "create it on the first upload.");
  if (reply->status == 404) {
    std::string body;
    if (bucket_.region != "us-east-1")
      body = "<CreateBucketConfiguration><LocationConstraint>" + s3::xml_escape(bucket_.region) +
             "</LocationConstraint></CreateBucketConfiguration>";
    const Request create{"PUT", "", {}, {}};
    reply = co_await client_.fetch(bucket_, create, body);
    if (!reply) co_return reply.error();
    // Another upload may have created it a moment ago.
    const bool ours = s3::xml_text(reply->body, "Code") == "BucketAlreadyOwnedByYou";
    if (reply->status != 200 && !ours)
      co_return s3::error_from(reply->status, reply->body, "creating s3 bucket " + bucket_.name);
  } else if (reply->status != 200) {
    co_return s3::error_from(reply->status, reply->body, what);
  }
  bucket_ready_ = true;
  co_return Result<void>();
}

Task<std::unique_ptr<ImageWriter>> S3Store::begin_add(const std::string& id,
                                                      uint64_t declared_size) {
  if (!is_safe_key(id)) co_return Error::bad_request("Invalid image id for the s3 store: " + id);
  if (auto ready = co_await ensure_bucket(); !ready) co_return ready.error();
  auto reply = co_await head(client_, bucket_, id, nullptr);
  if (!reply) co_return reply.error();
  if (reply->status == 200) co_return Error::conflict("Attempt to upload duplicate image: " + id);
  if (reply->status != 404)
    co_return s3::error_from(reply->status, reply->body, "checking " + object_name(bucket_, id));
  S3Location where = home_;
  where.key = id;
  co_return std::unique_ptr<ImageWriter>(
      new S3Writer(client_, bucket_, id, s3_location_uri(where), declared_size,
                   static_cast<uint64_t>(config_.s3_store_large_object_size) * kMiB,
                   static_cast<uint64_t>(config_.s3_store_large_object_chunk_size) * kMiB));
}

Task<std::unique_ptr<ImageReader>> S3Store::open(const Location& where,
                                                 const ReadOptions& options) {
  auto object = object_at(where);
  if (!object) co_return object.error();
  Request get{"GET", object->key, {}, {}};
  if (options.span)
    get.headers.emplace_back("Range",
                             "bytes=" + std::to_string(options.span->offset) + "-" +
                                 std::to_string(options.span->offset + options.span->length - 1));
  const auto* check = options.check_address ? &options.check_address : nullptr;
  const std::optional<uint64_t> no_body;
  auto exchange = co_await client_.start(object->bucket, get, no_body, check);
  if (!exchange) co_return exchange.error();
  auto head = co_await (*exchange)->response();
  if (!head) co_return head.error();
  const unsigned expected = options.span ? 206 : 200;
  const std::string what = "reading " + object_name(object->bucket, object->key);
  if (head->status == 200 && expected == 206)
    co_return Error::internal(what + ": the server ignored the Range header");
  if (head->status != expected) co_return co_await failure_of(**exchange, head->status, what);
  auto length = options.span ? std::optional<uint64_t>(options.span->length) : head->content_length;
  co_return std::unique_ptr<ImageReader>(new S3Reader(std::move(*exchange), length));
}

Task<uint64_t> S3Store::size(const Location& where, const ReadOptions& options) {
  auto object = object_at(where);
  if (!object) co_return object.error();
  const auto* check = options.check_address ? &options.check_address : nullptr;
  auto reply = co_await head(client_, object->bucket, object->key, check);
  if (!reply) co_return reply.error();
  if (reply->status != 200)
    co_return s3::error_from(reply->status, reply->body,
                             "checking " + object_name(object->bucket, object->key));
  co_return content_length(reply->headers).value_or(0);
}

Task<void> S3Store::remove(const Location& where) {
  auto object = object_at(where);
  if (!object) co_return object.error();
  const std::string what = object_name(object->bucket, object->key);
  // S3 answers 204 to a DELETE of a missing key: only a HEAD tells.
  auto reply = co_await head(client_, object->bucket, object->key, nullptr);
  if (!reply) co_return reply.error();
  if (reply->status != 200)
    co_return s3::error_from(reply->status, reply->body, "checking " + what);
  const Request del{"DELETE", object->key, {}, {}};
  reply = co_await client_.fetch(object->bucket, del, kNoBody);
  if (!reply) co_return reply.error();
  if (reply->status / 100 != 2)
    co_return s3::error_from(reply->status, reply->body, "deleting " + what);
  co_return Result<void>();
}

}  // namespace glance::store
