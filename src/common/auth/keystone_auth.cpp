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
  c.cert_file = o.certfile;
  c.key_file = o.keyfile;
  // Validations of distinct tokens run in parallel; keep enough connections warm for them.
  c.max_idle_per_origin = 16;
  return c;
}

ServiceCredentials service_credentials(const KeystoneAuthOptions& o) {
  ServiceCredentials c;
  c.auth_url = o.auth_url;
  c.scope = {o.username,     o.password,          o.user_domain_id,     o.user_domain_name,
             o.project_name, o.project_domain_id, o.project_domain_name};
  c.interface = o.interface;
  c.region = o.region_name;
  return c;
}
}  // namespace

KeystoneAuth::KeystoneAuth(KeystoneAuthOptions options)
    : options_(std::move(options)),
      client_(client_config(options_)),
      service_(client_, service_credentials(options_), clock_),
      validator_(client_, service_, options_, clock_) {}

http::Filter KeystoneAuth::filter() {
  return keystone_auth_filter(validator_, options_);
}

}  // namespace glance::common::auth
