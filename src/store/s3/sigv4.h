#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4 for the S3 API, header-based and single-chunk, as specified in
// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html). Pure functions of
// their arguments: no I/O, no global state, safe to call from any thread.
namespace glance::store::s3 {

// Ordered name/value pairs; a name may repeat.
using NameValues = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key;
  std::string secret_key;
  // Set for temporary (STS) credentials; sent and signed as x-amz-security-token.
  std::optional<std::string> session_token;
};

struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  // The Host header's value, with ":port" when the port is not the scheme's default.
  std::string host;
  // The path as sent, already URI-encoded; for S3 each key segment encoded once with
  // uri_encode(segment, false) and never normalized. Empty means "/".
  std::string canonical_uri;
  NameValues query;    // decoded; the signer encodes and sorts them
  NameValues headers;  // other headers to sign (range, content-length, x-amz-*), any case
  // Lower-case hex SHA-256 of the body (common::sha256_hex), or "UNSIGNED-PAYLOAD".
  std::string payload_sha256;
};

// Signs `request` for `region` and `service` ("s3") at `now`. Returns the headers to add to
// the request, besides Host and SigningRequest::headers: Authorization, X-Amz-Date,
// X-Amz-Content-Sha256, and X-Amz-Security-Token when the credentials carry a token. The
// signed headers are host, x-amz-content-sha256, x-amz-date, the token, and request.headers.
// Entries of request.headers named authorization, host, x-amz-content-sha256, x-amz-date or
// x-amz-security-token are ignored: sign() sets those itself, so what is signed is what is sent.
NameValues sign(const SigningRequest& request, const Credentials& credentials,
                std::string_view region, std::string_view service,
                std::chrono::system_clock::time_point now);

// The steps of sign(), exposed so that each can be checked against AWS's published examples
// and reused to build presigned URLs.

// AWS's UriEncode: keeps A-Z a-z 0-9 - . _ ~, writes every other byte as %XX (upper-case hex;
// space is %20, never '+'). '/' is kept when `encode_slash` is false, as in object keys.
std::string uri_encode(std::string_view bytes, bool encode_slash);

// "YYYYMMDDTHHMMSSZ" in UTC, the form of X-Amz-Date.
std::string amz_date(std::chrono::system_clock::time_point time);

// "YYYYMMDD/region/service/aws4_request"; `date` is the first eight characters of amz_date().
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);

struct CanonicalRequest {
  std::string text;            // what AWS hashes into the string to sign
  std::string signed_headers;  // "host;range;x-amz-date": sorted lower-case names, ';'-joined
};

// Builds the canonical request over exactly `headers` (host at least; x-amz-date too unless
// the date travels in the query, as in a presigned URL): names lower-cased, values trimmed with
// inner runs of whitespace collapsed to one space, repeated names joined with ',' in order, sorted
// by name. Query names and values are encoded with uri_encode(x, true) and sorted by encoded name,
// then value.
CanonicalRequest canonical_request(std::string_view method, std::string_view canonical_uri,
                                   const NameValues& query, const NameValues& headers,
                                   std::string_view payload_sha256);

// "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + hex SHA-256 of the canonical request.
std::string string_to_sign(std::string_view date_time, std::string_view scope,
                           std::string_view canonical_request_text);

// The raw 32-byte key: HMAC-SHA256 chained over "AWS4" + secret, date, region, service and
// "aws4_request".
std::string signing_key(std::string_view secret_key, std::string_view date, std::string_view region,
                        std::string_view service);

// Lower-case hex HMAC-SHA256 of the string to sign under the signing key.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace glance::store::s3
