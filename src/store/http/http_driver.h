#pragma once

#include "store/driver.h"
#include "store/http/http_store.h"

namespace glance::store {

// "http" (alias "https").
Driver http_driver();

// Reads https_insecure and https_ca_certificates_file.
HttpStoreConfig load_http_config(common::ConfigFile& file);

}  // namespace glance::store
