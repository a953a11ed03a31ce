#include "tests/support/tls_client.h"

#include "tests/support/http_message.h"
#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <csignal>

#include <sstream>
#include <stdexcept>

namespace glance::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {
std::string openssl_error() {
  char text[256] = "no reason given";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, text, sizeof text);
  ERR_clear_error();
  return text;
}
}  // namespace

// Plain OpenSSL on a blocking socket whose SO_RCVTIMEO and SO_SNDTIMEO bound every call.
struct TlsConnection::Impl {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;

  ~Impl() {
    if (ssl) SSL_free(ssl);
    if (context) SSL_CTX_free(context);
    if (fd >= 0) ::close(fd);
  }
};

TlsConnection::TlsConnection(int port, const TlsClientFiles& files,
                             std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  // A write to a server that already closed must fail, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  auto& i = *impl_;
  i.context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(i.context, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(i.context, files.ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("cannot load " + files.ca_file + ": " + openssl_error());
  SSL_CTX_set_verify(i.context, SSL_VERIFY_PEER, nullptr);
  if (!files.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(i.context, files.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(i.context, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1))
    throw std::runtime_error("cannot load " + files.cert_file + ": " + openssl_error());

  i.fd = connect_loopback(port);
  if (i.fd < 0) throw std::runtime_error("cannot connect to port " + std::to_string(port));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(i.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(i.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  i.ssl = SSL_new(i.context);
  SSL_set_fd(i.ssl, i.fd);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(i.ssl), "127.0.0.1");
  if (SSL_connect(i.ssl) != 1) throw std::runtime_error("TLS handshake failed: " + openssl_error());
}

TlsConnection::~TlsConnection() = default;

bool TlsConnection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    int n = SSL_write(impl_->ssl, bytes.data() + sent,
                      static_cast<int>(std::min<size_t>(bytes.size() - sent, 1 << 20)));
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string TlsConnection::read(size_t max_bytes) {
  std::string out;
  char buf[16384];
  while (out.size() < max_bytes) {
    int n =
        SSL_read(impl_->ssl, buf, static_cast<int>(std::min(sizeof buf, max_bytes - out.size())));
    if (n <= 0) {
      ERR_clear_error();
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string TlsConnection::peer_subject() const {
  X509* cert = SSL_get1_peer_certificate(impl_->ssl);
  if (!cert) return "";
  char line[512];
  X509_NAME_oneline(X509_get_subject_name(cert), line, sizeof line);
  X509_free(cert);
  return line;
}

void TlsConnection::reset() {
  linger hard{1, 0};
  ::setsockopt(impl_->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(impl_->fd);
  impl_->fd = -1;
}

HttpResponse HttpsClient::request(const std::string& method, const std::string& target,
                                  const HeaderList& headers, const std::string& body) const {
  TlsConnection connection(port_, files_, std::chrono::seconds(60));
  auto req = loopback_request(port_, method, target, headers);
  set_body(req, body);
  std::ostringstream text;
  text << req;
  if (!connection.send(text.str())) throw std::runtime_error("sending the request failed");
  // The whole answer: the server closes after it (keep_alive false).
  std::string raw = connection.read(size_t{1} << 31);
  if (raw.empty()) throw std::runtime_error("the server closed without an answer");
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.skip(method == "HEAD");
  parser.eager(true);
  boost::system::error_code ec;
  size_t offset = 0;
  // Everything has arrived: where the parser wants more, the answer ended at the close.
  for (;;) {
    size_t n = parser.put(net::buffer(raw.data() + offset, raw.size() - offset), ec);
    offset += n;
    if (ec == http::error::need_more || (!ec && n == 0 && !parser.is_done())) {
      ec = {};
      parser.put_eof(ec);
      break;
    }
    if (ec || parser.is_done()) break;
  }
  if (ec)
    throw std::runtime_error("not an HTTP answer: " + ec.message() + ": " + raw.substr(0, 200));
  if (!parser.is_header_done()) throw std::runtime_error("no HTTP answer: " + raw.substr(0, 200));
  return to_http_response(parser.release());
}

}  // namespace glance::testing
