#pragma once

#include "common/error.h"
#include "common/http/server_config.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace glance::common::http {

// Builds a server's TLS context from its PEM files: TLS 1.2 or later only, the certificate
// chain and its private key (which must belong together); with a CA file, a client must
// present a certificate signed by it or the handshake fails. Reads the files now; the context
// does not depend on them afterwards. Errors: bad_request naming the file and OpenSSL's reason.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const ServerTls& files);

// A client's certificate and key, both or neither, and the CAs it trusts (empty: the system's).
struct ClientTlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

// Prepares a client context: TLS 1.2 or later, and the client certificate when one is named.
// Does not set verification (the caller decides whether and against what). Errors:
// bad_request naming the file and OpenSSL's reason.
Result<void> load_client_certificate(boost::asio::ssl::context& context,
                                     const ClientTlsFiles& files);

// Loads every file of `files` into a scratch client context, so that a daemon can refuse at
// start-up what would otherwise only show as failed handshakes later.
Result<void> check_client_tls_files(const ClientTlsFiles& files);

}  // namespace glance::common::http
