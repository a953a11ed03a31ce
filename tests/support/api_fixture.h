#pragma once

#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/process_health.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

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

// A test suite whose tests share one glance-api and registry that trust identity headers and
// apply visibility per caller (ApiEnvironment(true, ...)), started by the suite's
// SetUpTestSuite (by default with no extra options; a suite needing some defines its own
// SetUpTestSuite calling start_shared_api) and stopped after its last test; with clients for
// three tenants. A set-up that failed fails every test of the suite.
class SharedTenantsApiTest : public ::testing::Test {
 protected:
  static void start_shared_api(const std::string& api_extra = "",
                               const std::string& store_extra = "") {
    setup_error_.clear();
    guarded_suite_setup([&] { env_ = new ApiEnvironment(true, api_extra, store_extra); },
                        &setup_error_);
  }
  static void SetUpTestSuite() { start_shared_api(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  // The shared api's descriptors, threads and memory, for expect_recovered(), taken once it
  // has served one request of each kind (an upload, a download, a listing, a delete): the
  // pools it starts lazily exist by then, whichever test of the suite runs first.
  ProcessHealth warm_baseline() const;

  static inline ApiEnvironment* env_ = nullptr;
  static inline std::string setup_error_;
  HttpClient alice_ = env_ ? env_->client(identity("tenant-a", "member", "alice")) : HttpClient(0);
  HttpClient bob_ = env_ ? env_->client(identity("tenant-b", "member", "bob")) : HttpClient(0);
  HttpClient admin_ =
      env_ ? env_->client(identity("tenant-admin", "admin", "root")) : HttpClient(0);
};

}  // namespace glance::testing
