#pragma once

#include "tests/support/daemon.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_server.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace glance::testing {

// Config text for a glance-registry on an ephemeral loopback port using `db_url`.
std::string registry_config(const std::string& db_url, const std::string& extra = "");

// A migrated fresh database and a running glance-registry for one test suite.
class RegistryEnvironment {
 public:
  // `env`: environment variables for the daemon only.
  explicit RegistryEnvironment(const std::string& extra_config = "",
                               const std::vector<std::pair<std::string, std::string>>& env = {});
  Daemon& daemon() { return *daemon_; }
  const std::string& db_url() const { return db_url_; }
  std::string database() const { return db_url_.substr(db_url_.rfind('/') + 1); }

 private:
  std::string db_url_;
  std::unique_ptr<Daemon> daemon_;
};

// Runs a suite's set-up, keeping the error instead of throwing: gtest would report an
// exception from SetUpTestSuite as skipped tests, and a broken set-up must fail loudly.
// Each test's SetUp then calls check_suite_setup().
template <class F>
void guarded_suite_setup(F setup, std::string* error) {
  try {
    setup();
  } catch (const std::exception& e) {
    *error = e.what();
  }
}
#define CHECK_SUITE_SETUP(error)                                        \
  do {                                                                  \
    if (!(error).empty()) FAIL() << "suite set-up failed: " << (error); \
  } while (0)

// Identity headers as keystonemiddleware (or the api with send_identity_headers) sets them.
HeaderList identity(const std::string& tenant, const std::string& roles = "member",
                    const std::string& user = "user");

// A test suite whose tests share one glance-registry, started by the suite's
// SetUpTestSuite through start_shared_registry and stopped after its last test. A set-up
// that failed fails every test of the suite.
class SharedRegistryTest : public ::testing::Test {
 protected:
  static constexpr const char* kTrustedAuth = "[paste_deploy]\nflavor = trusted-auth\n";

  static void start_shared_registry(const std::string& extra_config = "") {
    setup_error_.clear();
    guarded_suite_setup([&] { env_ = new RegistryEnvironment(extra_config); }, &setup_error_);
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  // A client of the shared registry sending `tenant`'s identity headers.
  static HttpClient as(const std::string& tenant, const std::string& roles = "member") {
    return HttpClient(env_->daemon().port(), identity(tenant, roles));
  }

  static inline RegistryEnvironment* env_ = nullptr;
  static inline std::string setup_error_;
};

}  // namespace glance::testing
