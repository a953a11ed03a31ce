#include "common/http/tls_context.h"

#include <openssl/ssl.h>

namespace glance::common::http {

namespace ssl = boost::asio::ssl;

namespace {
Error file_error(const char* what, const std::string& path, const boost::system::error_code& ec) {
  return Error::bad_request(std::string("cannot use ") + what + " '" + path + "': " + ec.message());
}

Result<void> require_tls12(ssl::context& context) {
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1)
    return Error::internal("cannot restrict TLS to version 1.2 and later");
  return {};
}

// The certificate chain and the key that must sign for it.
Result<void> load_key_pair(ssl::context& context, const std::string& cert_file,
                           const std::string& key_file) {
  boost::system::error_code ec;
  context.use_certificate_chain_file(cert_file, ec);
  if (ec) return file_error("the certificate file", cert_file, ec);
  context.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return file_error("the key file", key_file, ec);
  if (SSL_CTX_check_private_key(context.native_handle()) != 1)
    return Error::bad_request("the key file '" + key_file +
                              "' does not belong to the certificate in '" + cert_file + "'");
  return {};
}
}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const ServerTls& files) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (auto ok = require_tls12(*context); !ok) return ok.error();
  context->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use |
                       ssl::context::no_compression);
  if (auto ok = load_key_pair(*context, files.cert_file, files.key_file); !ok) return ok.error();
  if (!files.ca_file.empty()) {
    boost::system::error_code ec;
    context->load_verify_file(files.ca_file, ec);
    if (ec) return file_error("the CA file", files.ca_file, ec);
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

Result<void> load_client_certificate(ssl::context& context, const ClientTlsFiles& files) {
  if (auto ok = require_tls12(context); !ok) return ok;
  if (files.cert_file.empty() && files.key_file.empty()) return {};
  return load_key_pair(context, files.cert_file, files.key_file);
}

Result<void> check_client_tls_files(const ClientTlsFiles& files) {
  ssl::context context(ssl::context::tls_client);
  if (auto ok = load_client_certificate(context, files); !ok) return ok;
  if (!files.ca_file.empty()) {
    boost::system::error_code ec;
    context.load_verify_file(files.ca_file, ec);
    if (ec) return file_error("the CA file", files.ca_file, ec);
  }
  return {};
}

}  // namespace glance::common::http
