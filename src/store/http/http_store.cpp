#include "store/http/http_store.h"

#include "common/uri_redaction.h"
#include "store/stream_reader.h"

#include <openssl/evp.h>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url.hpp>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using common::http::ClientRequest;

namespace {
constexpr int kMaxRedirects = 5;

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string basic_credentials(std::string_view userinfo) {
  auto decoded = boost::urls::make_pct_string_view(userinfo);
  std::string plain = decoded ? decoded->decode() : std::string(userinfo);
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

// Where a redirect sends us: Location may be relative to the URL that answered.
Result<std::string> follow(const std::string& from, std::string_view location) {
  auto base = boost::urls::parse_absolute_uri(from);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!base || !ref) return Error::bad_request("Invalid redirect location");
  boost::urls::url target;
  if (auto r = boost::urls::resolve(*base, *ref, target); !r)
    return Error::bad_request("Invalid redirect location");
  return std::string(target.buffer());
}

// The body of a 200 answer to a ranged GET whose server ignored the range: skips to the span
// and stops at its end.
class SpanReader final : public common::http::BodyReader {
 public:
  SpanReader(std::unique_ptr<ClientExchange> inner, ByteSpan span)
      : inner_(std::move(inner)), skip_(span.offset), left_(span.length) {}

  net::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    while (skip_ > 0) {
      auto n = co_await inner_->read_some(buf.first(std::min<uint64_t>(buf.size(), skip_)));
      if (!n) co_return n.error();
      if (*n == 0) co_return Error::unavailable("source ended before the requested range");
      skip_ -= *n;
    }
    if (left_ == 0) co_return size_t{0};
    auto n = co_await inner_->read_some(buf.first(std::min<uint64_t>(buf.size(), left_)));
    if (!n) co_return n.error();
    left_ -= *n;
    co_return *n;
  }

 private:
  std::unique_ptr<ClientExchange> inner_;
  uint64_t skip_;
  uint64_t left_;
};

common::http::ClientConfig client_config(const HttpStoreConfig& config) {
  common::http::ClientConfig c;
  c.verify_tls = !config.https_insecure;
  c.ca_file = config.https_ca_certificates_file;
  // A configured CA file means the operator wants certificates checked.
  if (!c.ca_file.empty()) c.verify_tls = true;
  c.io_timeout = config.timeout;
  return c;
}
}  // namespace

struct HttpStore::Answer {
  std::unique_ptr<ClientExchange> exchange;
  common::http::ClientResponseHead head;
};

HttpStore::HttpStore(const HttpStoreConfig& config) : client_(client_config(config)) {}

Task<HttpStore::Answer> HttpStore::request(const Location& where, const std::string& method,
                                           const ReadOptions& options) {
  std::string uri = where.uri;
  for (int hop = 0;; ++hop) {
    auto url = common::http::parse_http_url(uri);
    if (!url) co_return Error::bad_request("Invalid location: " + url.error().message());
    ClientRequest req;
    req.method = method;
    req.target = url->target;
    if (!url->userinfo.empty()) req.headers.set("Authorization", basic_credentials(url->userinfo));
    if (options.span && method == "GET")
      req.headers.set("Range", "bytes=" + std::to_string(options.span->offset) + "-" +
                                   std::to_string(options.span->offset + options.span->length - 1));
    const auto& vet = hop > 0 && options.check_redirect_address ? options.check_redirect_address
                                                                : options.check_address;
    const common::http::AddressCheck* check = vet ? &vet : nullptr;
    auto exchange = co_await client_.start(url->origin, req, check);
    if (!exchange) co_return exchange.error();
    auto head = co_await (*exchange)->response();
    if (!head) co_return head.error();
    if (is_redirect(head->status)) {
      if (hop == kMaxRedirects)
        co_return Error::bad_request("Maximum redirects (" + std::to_string(kMaxRedirects) +
                                     ") was exceeded.");
      auto next = head->headers.get("Location");
      if (!next) co_return Error::bad_request("Redirect without a Location");
      auto target = follow(uri, *next);
      if (!target) co_return target.error();
      if (options.check_uri)
        if (auto allowed = options.check_uri(*target); !allowed) co_return allowed.error();
      uri = std::move(*target);
      continue;
    }
    if (head->status == 404)
      co_return Error::not_found("HTTP datastore could not find image at URI.");
    if (head->status >= 300)
      co_return Error::bad_request("HTTP URL " + common::redact_credentials(uri) + " returned a " +
                                   std::to_string(head->status) + " status code.");
    co_return Answer{std::move(*exchange), std::move(*head)};
  }
}

Task<std::unique_ptr<ImageWriter>> HttpStore::begin_add(const std::string&, uint64_t) {
  co_return Error::gone("The http store is read-only; image data cannot be added to it.");
}

Task<std::unique_ptr<ImageReader>> HttpStore::open(const Location& where,
                                                   const ReadOptions& options) {
  auto answer = co_await request(where, "GET", options);
  if (!answer) co_return answer.error();
  auto length = answer->head.content_length;
  std::unique_ptr<common::http::BodyReader> body = std::move(answer->exchange);
  if (options.span) {
    if (answer->head.status != 206)
      body = std::make_unique<SpanReader>(
          std::unique_ptr<ClientExchange>(static_cast<ClientExchange*>(body.release())),
          *options.span);
    length = options.span->length;
  }
  co_return std::unique_ptr<ImageReader>(new StreamReader(std::move(body), length));
}

Task<uint64_t> HttpStore::size(const Location& where, const ReadOptions& options) {
  auto answer = co_await request(where, "HEAD", options);
  if (!answer) {
    if (answer.error().code() == common::Errc::unavailable)
      co_return Error::bad_request("The HTTP URL is invalid: " + answer.error().message());
    co_return answer.error();
  }
  co_return answer->head.content_length.value_or(0);
}

Task<void> HttpStore::remove(const Location&) {
  co_return Error::forbidden("The http store is read-only; its data cannot be deleted.");
}

}  // namespace glance::store
