#pragma once

#include "common/error.h"
#include "common/http/client.h"
#include "store/s3/sigv4.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Speaking the S3 REST API over common::http::HttpClient: where a request goes (path-style or
// virtual-hosted buckets), SigV4 signing, and the few XML documents S3 answers with. Knows
// nothing of images; the S3 store builds on it.
namespace glance::store::s3 {

// How a bucket appears in a request URL: path (https://host/bucket/key) or virtual-hosted
// (https://bucket.host/key). `automatic` is decided per request by resolve_style().
enum class UrlStyle { automatic, path, virtual_host };

// "auto", "path" or "virtual" (s3_store_bucket_url_format); nullopt for anything else.
std::optional<UrlStyle> parse_url_style(std::string_view text);

// An S3 service: its origin and an optional path prefix ("/prefix", no trailing slash).
struct Endpoint {
  common::http::Origin origin;
  std::string path_prefix;
};

// "http://host:port[/prefix]", "https://host", or a bare "host[:port][/prefix]", which means
// https when `tls` and http otherwise. Fails with bad_request.
common::Result<Endpoint> parse_endpoint(std::string_view text, bool tls);

// The SigV4 region: `configured` when set, else the one an AWS host name carries
// ("s3-eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"), else "us-east-1" (where AWS's
// global endpoint and most S3-compatible servers sign).
std::string region_for(const Endpoint& endpoint, std::string_view configured);

// `automatic` as boto3 decides it for glance_store: path-style whenever glance_store hands
// boto3 an endpoint URL, which it does unless no region is configured and the host is one of
// AWS's S3 endpoints; virtual-hosted there, when the bucket is a valid DNS label (no dots over
// TLS, where the certificate's wildcard would not match). Other styles come back unchanged.
UrlStyle resolve_style(UrlStyle configured, const Endpoint& endpoint, bool region_configured,
                       std::string_view bucket);

// Where one request goes: the origin to connect to (its host is also the Host header) and the
// URI-encoded path, as sent and as signed.
struct Address {
  common::http::Origin origin;
  std::string path;
};

// `style` is path or virtual_host; an empty key addresses the bucket itself.
Address address_of(const Endpoint& endpoint, UrlStyle style, std::string_view bucket,
                   std::string_view key);

// One bucket at one endpoint, with the credentials and signing region to use for it.
struct Bucket {
  Endpoint endpoint;
  std::string name;
  Credentials credentials;
  std::string region;
  UrlStyle style = UrlStyle::path;  // resolved: path or virtual_host
};

struct Request {
  std::string method = "GET";
  std::string key;     // empty: the bucket itself
  NameValues query;    // decoded; "uploads" with an empty value is sent as "?uploads"
  NameValues headers;  // sent and signed (Range, Content-Type, ...)
};

// Signs and sends S3 requests. Safe for concurrent use from the threads of one io_context.
class Client {
 public:
  explicit Client(common::http::ClientConfig config) : http_(std::move(config)) {}

  // A request whose body (an XML document, or nothing) is in memory and signed by its
  // SHA-256; the reply is read whole, up to 1 MiB. Errors: unavailable when the server cannot
  // be reached, the check's error. Any HTTP status is a reply, not an error.
  boost::asio::awaitable<common::Result<common::http::ClientReply>> fetch(
      const Bucket& bucket, const Request& request, const std::string& body,
      const common::http::AddressCheck* check = nullptr);

  // Starts a request whose body of `body_length` bytes (none when unset) the caller streams
  // with write(), signed as UNSIGNED-PAYLOAD so no byte has to be hashed before it is sent.
  // Errors as fetch().
  boost::asio::awaitable<common::Result<std::unique_ptr<common::http::ClientExchange>>> start(
      const Bucket& bucket, const Request& request, std::optional<uint64_t> body_length,
      const common::http::AddressCheck* check = nullptr);

 private:
  common::http::ClientRequest signed_request(const Bucket& bucket, const Address& address,
                                             const Request& request,
                                             const std::string& payload_sha256) const;

  common::http::HttpClient http_;
};

// The failure an S3 answer of `status` with error document `body` (empty after a HEAD) stands
// for, `what` naming the operation ("reading s3 object b/k"). 404 → not_found; 403 →
// bad_gateway (credentials or rights refused), except QuotaExceeded → storage_full; 503 →
// unavailable; anything else → internal. The message carries the S3 error code and message.
common::Error error_from(unsigned status, std::string_view body, std::string_view what);

// The text of the first element named `tag` in `xml`, entities decoded; nullopt when there is
// none. A tolerant scan for S3's flat documents (Error, InitiateMultipartUploadResult, ...), not
// an XML parser: no namespace prefixes, no CDATA.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);
// The text of every element named `tag`, in document order.
std::vector<std::string> xml_texts(std::string_view xml, std::string_view tag);
// `text` with &, <, > and quotes escaped, for element content.
std::string xml_escape(std::string_view text);

}  // namespace glance::store::s3
