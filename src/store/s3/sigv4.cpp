#include "store/s3/sigv4.h"

#include "common/hex_digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace glance::store::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

constexpr std::string_view kSignerOwnedHeaders[] = {"authorization", "host", "x-amz-content-sha256",
                                                    "x-amz-date", "x-amz-security-token"};

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Not std::tolower: it follows the C locale, and header names are ASCII by definition.
std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Line breaks count as whitespace so that a folded header value canonicalizes like its
// one-line form, as the AWS test suite's get-header-value-multiline expects.
bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// AWS's Trimall: no leading or trailing whitespace, every inner run becomes one space.
std::string trim_all(std::string_view value) {
  std::string out;
  bool gap = false;
  for (char c : value) {
    if (is_whitespace(c)) {
      gap = !out.empty();
    } else {
      if (gap) out += ' ';
      gap = false;
      out += c;
    }
  }
  return out;
}

std::string lower_hex(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  // HMAC() fails only when OpenSSL cannot allocate; the empty key that follows makes the
  // server refuse the request (403), which is where the failure surfaces.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

// Lower-cased names with canonical values, sorted by name (stable, so repeated names keep
// their order) and merged into one comma-separated entry per name.
NameValues canonical_headers(const NameValues& headers) {
  NameValues entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers)
    entries.emplace_back(ascii_lower(name), trim_all(value));
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  NameValues merged;
  for (auto& [name, value] : entries) {
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second += ',';
      merged.back().second += value;
    } else {
      merged.emplace_back(std::move(name), std::move(value));
    }
  }
  return merged;
}

// Sorting happens after encoding, as AWS specifies: "%E1..." sorts before "Param".
std::string canonical_query(const NameValues& query) {
  NameValues encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

bool is_signer_owned(std::string_view name) {
  const std::string lowered = ascii_lower(name);
  return std::find(std::begin(kSignerOwnedHeaders), std::end(kSignerOwnedHeaders), lowered) !=
         std::end(kSignerOwnedHeaders);
}

}  // namespace

std::string uri_encode(std::string_view bytes, bool encode_slash) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
    }
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(time - day)};
  // Integers only: snprintf's %d does not depend on the locale, unlike strftime's names.
  std::array<char, 32> text{};
  const int length = std::snprintf(
      text.data(), text.size(), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()));
  return std::string(text.data(), static_cast<std::size_t>(length));
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string scope(date);
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  return scope;
}

CanonicalRequest canonical_request(std::string_view method, std::string_view canonical_uri,
                                   const NameValues& query, const NameValues& headers,
                                   std::string_view payload_sha256) {
  CanonicalRequest result;
  std::string& text = result.text;
  text += method;
  text += '\n';
  text += canonical_uri.empty() ? std::string_view("/") : canonical_uri;
  text += '\n';
  text += canonical_query(query);
  text += '\n';
  for (const auto& [name, value] : canonical_headers(headers)) {
    text += name;
    text += ':';
    text += value;
    text += '\n';
    if (!result.signed_headers.empty()) result.signed_headers += ';';
    result.signed_headers += name;
  }
  text += '\n';
  text += result.signed_headers;
  text += '\n';
  text += payload_sha256;
  return result;
}

std::string string_to_sign(std::string_view date_time, std::string_view scope,
                           std::string_view canonical_request_text) {
  std::string text(kAlgorithm);
  text += '\n';
  text += date_time;
  text += '\n';
  text += scope;
  text += '\n';
  text += common::sha256_hex(canonical_request_text);
  return text;
}

std::string signing_key(std::string_view secret_key, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string key = "AWS4";
  key += secret_key;
  key = hmac_sha256(key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, "aws4_request");
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return lower_hex(hmac_sha256(signing_key, string_to_sign));
}

NameValues sign(const SigningRequest& request, const Credentials& credentials,
                std::string_view region, std::string_view service,
                std::chrono::system_clock::time_point now) {
  const std::string date_time = amz_date(now);
  const std::string_view date = std::string_view(date_time).substr(0, 8);

  NameValues to_sign;
  for (const auto& header : request.headers) {
    if (!is_signer_owned(header.first)) to_sign.push_back(header);
  }
  to_sign.emplace_back("host", request.host);
  to_sign.emplace_back("x-amz-content-sha256", request.payload_sha256);
  to_sign.emplace_back("x-amz-date", date_time);
  if (credentials.session_token)
    to_sign.emplace_back("x-amz-security-token", *credentials.session_token);

  const CanonicalRequest canonical = canonical_request(
      request.method, request.canonical_uri, request.query, to_sign, request.payload_sha256);
  const std::string scope = credential_scope(date, region, service);
  const std::string signed_hex =
      signature(signing_key(credentials.secret_key, date, region, service),
                string_to_sign(date_time, scope, canonical.text));

  NameValues added;
  added.emplace_back("Authorization", std::string(kAlgorithm) +
                                          " Credential=" + credentials.access_key + '/' + scope +
                                          ", SignedHeaders=" + canonical.signed_headers +
                                          ", Signature=" + signed_hex);
  added.emplace_back("X-Amz-Date", date_time);
  added.emplace_back("X-Amz-Content-Sha256", request.payload_sha256);
  if (credentials.session_token) {
    added.emplace_back("X-Amz-Security-Token", *credentials.session_token);
  }
  return added;
}

}  // namespace glance::store::s3
