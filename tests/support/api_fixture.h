#pragma once

#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/registry_fixture.h"

#include <memory>
#include <string>

namespace glance::testing {

// A private registry (fresh database) and a glance-api in front of it, both on ephemeral
// loopback ports, with a file store in a fresh directory.
class ApiEnvironment {
 public:
  // `api_extra` goes into the api's [DEFAULT]; `store_extra` into its [glance_store], beside
  // a fresh filesystem_store_datadir and, unless it sets them, "stores = file" and
  // "default_store = file". With `keystone`, the api trusts the identity headers (trusted-auth,
  // as behind a proxy that validated tokens) and forwards them to a trusted-auth registry,
  // which then applies visibility per caller.
  // `api_tail` ends the api's config file, and `registry_tail` the registry's, so their
  // sections and options win (e.g. flavor keystone with its [keystone_authtoken]).
  ApiEnvironment(bool keystone = false, const std::string& api_extra = "",
                 const std::string& store_extra = "", const std::string& api_tail = "",
                 const std::string& registry_tail = "");

  Daemon& api() { return *api_; }
  RegistryEnvironment& registry() { return *registry_; }
  HttpClient client(HeaderList default_headers = {}) const {
    return HttpClient(api_->port(), std::move(default_headers));
  }
  const std::string& datadir() const { return datadir_; }
  // Files in the store directory, temporary ones included.
  size_t stored_files() const;
  // Restarts the registry on the port it had, so the api's configuration still names it.
  void stop_registry();
  void start_registry_again();

 private:
  bool keystone_;
  std::string registry_tail_;
  std::string datadir_;
  int registry_port_ = 0;
  std::unique_ptr<RegistryEnvironment> registry_;
  std::unique_ptr<Daemon> registry_again_;
  std::unique_ptr<Daemon> api_;
};

}  // namespace glance::testing
