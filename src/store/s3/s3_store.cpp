#include "store/s3/s3_store.h"

#include "store/s3/s3_requests.h"
#include "store/s3/s3_writer.h"
#include "store/stream_reader.h"
#include "store/upload_name.h"

#include <spdlog/spdlog.h>
#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/sub_delim_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <charconv>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using s3::failure_of;
using s3::head;
using s3::kNoBody;
using s3::object_name;
using s3::Request;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;
// S3 refuses parts under 5 MiB but the last.
constexpr int64_t kMinChunkMiB = 5;

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

}  // namespace

std::string s3_location_uri(const S3Location& location) {
  std::string uri = location.tls ? "s3+https://" : "s3://";
  // A secret without an access key is written too, or the location would read back as a
  // different one.
  if (!location.access_key.empty() || !location.secret_key.empty())
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

S3Store::S3Store(const S3StoreConfig& config, s3::Endpoint endpoint, s3::UrlStyle style,
                 BlockingPool& pool)
    : config_(config),
      endpoint_(std::move(endpoint)),
      style_(style),
      client_([&] {
        common::http::ClientConfig c;
        c.verify_tls = true;
        c.ca_file = config.s3_store_cacert;
        return c;
      }()),
      pool_(pool) {
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

Result<std::unique_ptr<S3Store>> S3Store::create(const S3StoreConfig& config, BlockingPool& pool) {
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
  return std::unique_ptr<S3Store>(new S3Store(config, std::move(*endpoint), *style, pool));
}

Result<S3Store::Object> S3Store::object_at(const Location& where) const {
  auto location = parse_s3_location(where.uri);
  if (!location) return location.error();
  auto endpoint = s3::parse_endpoint(location->host, location->tls);
  if (!endpoint) return endpoint.error();
  // The store's keys are never lent to a URI: every location this store writes carries them,
  // so one without credentials came from a client (copy_from, a location), and signing it with
  // our keys would read any object our account can read, another tenant's image included.
  if (location->access_key.empty())
    return Error::bad_request("Invalid s3 location: no credentials for " + location->host);
  s3::Credentials credentials{location->access_key, location->secret_key, {}};
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
  const Request list{"GET", "", {{"prefix", id}}, {}};
  auto reply = co_await client_.fetch(bucket_, list, kNoBody);
  if (!reply) co_return reply.error();
  if (reply->status != 200)
    co_return s3::error_from(reply->status, reply->body, "listing s3 bucket " + bucket_.name);
  for (const auto& key : s3::xml_texts(reply->body, "Key"))
    if (is_upload_name(key, id))
      co_return Error::conflict("Attempt to upload duplicate image: " + id);
  S3Location where = home_;
  where.key = upload_name(id);
  co_return make_s3_writer(client_, bucket_, where.key, s3_location_uri(where), declared_size,
                           static_cast<uint64_t>(config_.s3_store_large_object_size) * kMiB,
                           static_cast<uint64_t>(config_.s3_store_large_object_chunk_size) * kMiB,
                           pool_);
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
  co_return std::unique_ptr<ImageReader>(new StreamReader(std::move(*exchange), length));
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

Task<S3Store::Listing> S3Store::list_prefix(const std::string& prefix) {
  Listing listing;
  const std::string what = "listing s3 bucket " + bucket_.name;
  // Keys, a page of up to 1000 at a time.
  for (std::string marker;;) {
    Request list{"GET", "", {{"prefix", prefix}}, {}};
    if (!marker.empty()) list.query.emplace_back("marker", marker);
    auto reply = co_await client_.fetch(bucket_, list, kNoBody);
    if (!reply) co_return reply.error();
    if (reply->status == 404) co_return listing;
    if (reply->status != 200) co_return s3::error_from(reply->status, reply->body, what);
    auto page = s3::xml_texts(reply->body, "Key");
    listing.keys.insert(listing.keys.end(), page.begin(), page.end());
    if (page.empty() || s3::xml_text(reply->body, "IsTruncated") != "true") break;
    marker = page.back();
  }
  for (std::string key_marker, id_marker;;) {
    Request list{"GET", "", {{"uploads", ""}, {"prefix", prefix}}, {}};
    if (!key_marker.empty())
      list.query.insert(list.query.end(),
                        {{"key-marker", key_marker}, {"upload-id-marker", id_marker}});
    auto reply = co_await client_.fetch(bucket_, list, kNoBody);
    if (!reply) co_return reply.error();
    if (reply->status != 200) co_return s3::error_from(reply->status, reply->body, what);
    auto keys = s3::xml_texts(reply->body, "Key");
    auto ids = s3::xml_texts(reply->body, "UploadId");
    if (keys.size() != ids.size())
      co_return Error::internal(what + ": a multipart upload listing without key or UploadId");
    for (size_t i = 0; i < keys.size(); ++i) listing.uploads.emplace_back(keys[i], ids[i]);
    if (keys.empty() || s3::xml_text(reply->body, "IsTruncated") != "true") break;
    key_marker = keys.back();
    id_marker = ids.back();
  }
  co_return listing;
}

net::awaitable<void> S3Store::delete_logged(Request request, std::string what) {
  auto reply = co_await client_.fetch(bucket_, request, kNoBody);
  if (!reply || (reply->status / 100 != 2 && reply->status != 404))
    spdlog::error("cannot remove {}: {}", what,
                  reply ? s3::error_from(reply->status, reply->body, "delete").message()
                        : reply.error().message());
}

Task<void> S3Store::remove_leftovers(const std::string& id, const std::optional<Location>& keep) {
  if (!is_safe_key(id)) co_return Error::bad_request("Invalid image id for the s3 store: " + id);
  std::string kept;
  if (keep) {
    auto object = object_at(*keep);
    if (!object) co_return object.error();
    if (object->bucket.name == bucket_.name) kept = object->key;
  }
  auto listing = co_await list_prefix(id);
  if (!listing) co_return listing.error();
  // An unfinished multipart upload is never live, whatever its key.
  for (const auto& [key, upload_id] : listing->uploads) {
    if (!is_upload_name(key, id)) continue;
    spdlog::warn("aborting multipart upload {} of {} left by an upload of image {}", upload_id,
                 object_name(bucket_, key), id);
    // Named, not a temporary in the co_await: GCC 12 fails on braced temporaries there.
    Request abort_upload{"DELETE", key, {{"uploadId", upload_id}}, {}};
    co_await delete_logged(std::move(abort_upload),
                           "multipart upload " + upload_id + " of " + object_name(bucket_, key));
  }
  for (const auto& key : listing->keys) {
    if (!is_upload_name(key, id) || key == kept) continue;
    spdlog::warn("removing {}, left by an upload of image {}", object_name(bucket_, key), id);
    Request remove_object{"DELETE", key, {}, {}};
    co_await delete_logged(std::move(remove_object), object_name(bucket_, key));
  }
  co_return Result<void>();
}

}  // namespace glance::store
