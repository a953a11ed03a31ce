#include "store/s3/client.h"

#include "common/hex_digest.h"
#include "common/http/headers.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <chrono>

namespace glance::store::s3 {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using common::http::ClientReply;
using common::http::ClientRequest;

namespace {

constexpr std::string_view kService = "s3";
constexpr std::string_view kDefaultRegion = "us-east-1";
// Error documents and the XML answers we read are a few hundred bytes; a listing of 1,000
// keys stays well below this.
constexpr size_t kReplyLimit = 1 << 20;

bool ends_with_ci(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         common::http::iequals(text.substr(text.size() - suffix.size()), suffix);
}

// What precedes ".amazonaws.com" in an AWS S3 host name ("s3", "s3-eu-west-1",
// "s3.eu-west-1"), or nullopt for any other host.
std::optional<std::string> aws_s3_label(const Endpoint& endpoint) {
  const std::string host = common::http::to_lower(endpoint.origin.host);
  for (std::string_view suffix : {".amazonaws.com", ".amazonaws.com.cn"}) {
    if (!ends_with_ci(host, suffix)) continue;
    std::string label = host.substr(0, host.size() - suffix.size());
    if (label == "s3" || label.starts_with("s3-") || label.starts_with("s3.")) return label;
  }
  return std::nullopt;
}

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

// S3's rules for a bucket name that can be a host label (DNS-compatible, lower case).
bool is_dns_compatible(std::string_view bucket, bool allow_dots) {
  if (bucket.size() < 3 || bucket.size() > 63 || is_ip_literal(bucket)) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(bucket.front()) || !alnum(bucket.back())) return false;
  for (size_t i = 0; i < bucket.size(); ++i) {
    char c = bucket[i];
    if (c == '.') {
      if (!allow_dots || bucket[i + 1] == '.' || bucket[i - 1] == '-' || bucket[i + 1] == '-')
        return false;
    } else if (!alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

std::string query_text(const NameValues& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    out += out.empty() ? '?' : '&';
    out += uri_encode(name, true);
    if (!value.empty()) out += "=" + uri_encode(value, true);
  }
  return out;
}

// Reached: the check refused the address, or the server cannot be reached at all.
Error unreachable(const Error& e) {
  if (e.code() != common::Errc::unavailable) return e;
  return Error::unavailable("The S3 server is unreachable: " + e.message());
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the five predefined entities and character references; anything else is kept as
// it stands, since a tolerant reader of error messages should not fail on them.
std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    size_t semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "amp")
      out += '&';
    else if (entity == "quot")
      out += '"';
    else if (entity == "apos")
      out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || end != digits.data() + digits.size() || cp > 0x10FFFF) {
        out += text[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += text[i];
      continue;
    }
    i = semi;
  }
  return out;
}

// Finds the next element named `tag` at or after `from`: its content's bounds and the
// position after its end tag.
struct Element {
  size_t begin, end, next;
};
std::optional<Element> find_element(std::string_view xml, std::string_view tag, size_t from) {
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  for (size_t pos = xml.find(open, from); pos != std::string_view::npos;
       pos = xml.find(open, pos + 1)) {
    size_t after = pos + open.size();
    if (after >= xml.size()) return std::nullopt;
    char c = xml[after];
    if (c != '>' && c != '/' && c != ' ' && c != '\t' && c != '\r' && c != '\n') continue;
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return std::nullopt;
    if (xml[gt - 1] == '/') return Element{gt + 1, gt + 1, gt + 1};
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return Element{gt + 1, end, end + close.size()};
  }
  return std::nullopt;
}

}  // namespace

std::optional<UrlStyle> parse_url_style(std::string_view text) {
  if (text == "auto") return UrlStyle::automatic;
  if (text == "path") return UrlStyle::path;
  if (text == "virtual") return UrlStyle::virtual_host;
  return std::nullopt;
}

Result<Endpoint> parse_endpoint(std::string_view text, bool tls) {
  std::string full(text);
  if (full.find("://") == std::string::npos) full = (tls ? "https://" : "http://") + full;
  auto url = common::http::parse_http_url(full);
  if (!url) return Error::bad_request("Invalid S3 host '" + std::string(text) + "'");
  if (!url->userinfo.empty() || url->target.find('?') != std::string::npos)
    return Error::bad_request("Invalid S3 host: neither credentials nor a query belong in it");
  Endpoint endpoint{url->origin, url->target};
  while (!endpoint.path_prefix.empty() && endpoint.path_prefix.back() == '/')
    endpoint.path_prefix.pop_back();
  return endpoint;
}

std::string region_for(const Endpoint& endpoint, std::string_view configured) {
  if (!configured.empty()) return std::string(configured);
  auto label = aws_s3_label(endpoint);
  if (!label || label->size() <= 3) return std::string(kDefaultRegion);
  std::string region = label->substr(3);  // after "s3-" or "s3."
  if (region.find('.') != std::string::npos) return std::string(kDefaultRegion);
  return region;
}

UrlStyle resolve_style(UrlStyle configured, const Endpoint& endpoint, bool region_configured,
                       std::string_view bucket) {
  if (configured != UrlStyle::automatic) return configured;
  if (region_configured || !aws_s3_label(endpoint)) return UrlStyle::path;
  return is_dns_compatible(bucket, !endpoint.origin.tls) ? UrlStyle::virtual_host : UrlStyle::path;
}

Address address_of(const Endpoint& endpoint, UrlStyle style, std::string_view bucket,
                   std::string_view key) {
  Address address{endpoint.origin, endpoint.path_prefix};
  if (style == UrlStyle::virtual_host) {
    address.origin.host = std::string(bucket) + "." + endpoint.origin.host;
  } else {
    address.path += "/" + uri_encode(bucket, true);
    if (key.empty()) return address;
  }
  address.path += "/" + uri_encode(key, false);
  return address;
}

ClientRequest Client::signed_request(const Bucket& bucket, const Address& address,
                                     const Request& request,
                                     const std::string& payload_sha256) const {
  ClientRequest out;
  out.method = request.method;
  out.target = address.path + query_text(request.query);
  SigningRequest signing{request.method,  address.origin.host_header(),
                         address.path,    request.query,
                         request.headers, payload_sha256};
  for (const auto& [name, value] : request.headers) out.headers.set(name, value);
  const auto now = std::chrono::system_clock::now();
  for (auto& [name, value] : sign(signing, bucket.credentials, bucket.region, kService, now))
    out.headers.set(name, std::move(value));
  return out;
}

net::awaitable<Result<ClientReply>> Client::fetch(const Bucket& bucket, const Request& request,
                                                  const std::string& body,
                                                  const common::http::AddressCheck* check) {
  const Address address = address_of(bucket.endpoint, bucket.style, bucket.name, request.key);
  const std::string payload = common::sha256_hex(std::span<const char>(body.data(), body.size()));
  ClientRequest signed_req = signed_request(bucket, address, request, payload);
  const std::string_view body_view = body;
  auto reply =
      co_await http_.fetch(address.origin, std::move(signed_req), body_view, kReplyLimit, check);
  if (!reply) co_return unreachable(reply.error());
  co_return std::move(*reply);
}

net::awaitable<Result<std::unique_ptr<ClientExchange>>> Client::start(
    const Bucket& bucket, const Request& request, std::optional<uint64_t> body_length,
    const common::http::AddressCheck* check) {
  const Address address = address_of(bucket.endpoint, bucket.style, bucket.name, request.key);
  const std::string payload = "UNSIGNED-PAYLOAD";
  ClientRequest signed_req = signed_request(bucket, address, request, payload);
  if (body_length) {
    signed_req.framing = ClientRequest::Framing::length;
    signed_req.content_length = *body_length;
  }
  auto exchange = co_await http_.start(address.origin, signed_req, check);
  if (!exchange) co_return unreachable(exchange.error());
  co_return std::move(*exchange);
}

Error error_from(unsigned status, std::string_view body, std::string_view what) {
  const auto code = xml_text(body, "Code");
  const auto message = xml_text(body, "Message");
  std::string text = std::string(what) + " failed: S3 answered " + std::to_string(status);
  if (code) text += " " + *code;
  if (message && !message->empty()) text += ": " + *message;
  if (status == 404) return Error::not_found(text);
  // Ceph RGW refuses writes over a user or bucket quota with 403 QuotaExceeded: like a full
  // disk, not like bad credentials.
  if (code == "QuotaExceeded") return Error::storage_full(text);
  if (status == 403) {
    // The operator (or the client that chose the location) must fix the credentials or the
    // clock (RequestTimeTooSkewed); the code says which.
    spdlog::warn("S3 refused a request: {}", text);
    return Error::bad_gateway(text);
  }
  if (status == 503) return Error::unavailable(text);
  return Error::internal(text);
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  auto element = find_element(xml, tag, 0);
  if (!element) return std::nullopt;
  return xml_unescape(xml.substr(element->begin, element->end - element->begin));
}

std::vector<std::string> xml_texts(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  for (auto element = find_element(xml, tag, 0); element;
       element = find_element(xml, tag, element->next))
    out.push_back(xml_unescape(xml.substr(element->begin, element->end - element->begin)));
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace glance::store::s3
