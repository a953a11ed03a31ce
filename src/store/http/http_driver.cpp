#include "store/http/http_driver.h"

namespace glance::store {

HttpStoreConfig load_http_config(common::ConfigFile& file) {
  const std::string s = "glance_store";
  HttpStoreConfig c;
  c.https_insecure = file.get_bool(s, "https_insecure", c.https_insecure);
  c.https_ca_certificates_file =
      file.get_string(s, "https_ca_certificates_file", c.https_ca_certificates_file);
  return c;
}

Driver http_driver() {
  return {.names = {"http", "https"}, .configure = [](common::ConfigFile& file) -> StartDriver {
            return [c = load_http_config(file)](
                       BlockingPool&) -> common::Result<std::unique_ptr<Store>> {
              return std::make_unique<HttpStore>(c);
            };
          }};
}

}  // namespace glance::store
