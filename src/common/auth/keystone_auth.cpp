#include "common/auth/keystone_auth.h"

#include "common/auth/keystone_auth_filter.h"

namespace glance::common::auth {

namespace {
http::ClientConfig client_config(const KeystoneAuthOptions& o) {
  http::ClientConfig c;
  c.connect_timeout = o.http_connect_timeout;
  c.io_timeout = o.http_request_timeout;
  c.verify_tls = !o.insecure;
  c.ca_file = o.cafile;
  // Validations of distinct tokens run in parallel; keep enough connections warm for them.
  c.max_idle_per_origin = 16;
  return c;
}
}  // namespace

KeystoneAuth::KeystoneAuth(KeystoneAuthOptions options)
    : options_(std::move(options)),
      client_(client_config(options_)),
      validator_(client_, options_, clock_) {}

http::Filter KeystoneAuth::filter() {
  return keystone_auth_filter(validator_, options_);
}

}  // namespace glance::common::auth
