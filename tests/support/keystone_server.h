#pragma once

#include <string>

namespace glance::testing {

// The Keystone that ctest starts once per run (scripts/keystone-aio.sh, the keystone fixture
// in tests/CMakeLists.txt), on its own MariaDB and a loopback port. Users (password: name +
// "pw"): admin (admin of project admin), glance (service and admin on project service: the
// daemons' service user), nova (service on project service), alice (member of alpha), bob
// (member of beta).
struct KeystoneServer {
  std::string dir;
  std::string url;  // http://127.0.0.1:PORT, Keystone's root
  int port = 0;
  std::string alpha_project_id;
  std::string beta_project_id;
  std::string service_project_id;
  std::string alice_user_id;
  std::string bob_user_id;
  std::string nova_user_id;
};

// Read once from $GLANCE_TEST_KEYSTONE_DIR/keystone.env. Throws std::runtime_error (failing
// the test) when the variable or the file is missing: a test that needs Keystone never passes
// or skips without one. Declare such tests with glance_add_test(... NEEDS_KEYSTONE ...).
const KeystoneServer& keystone_server();

// A project-scoped token for `user` (password authentication). Throws unless Keystone
// answers 201. `port` 0: the fixture's server.
std::string keystone_token(const std::string& user, const std::string& project, int port = 0);
// Revokes `token` (DELETE /v3/auth/tokens as admin). Throws unless 204.
void revoke_token(const std::string& token);
// A token of alice in project alpha that expires in `seconds`: issued through an application
// credential that expires then, since Keystone ends a token no later than its credential.
std::string short_lived_token(int seconds);

// Adds region `region` to Keystone's catalog with an internal identity endpoint at
// http://127.0.0.1:`port`/v3, so that a daemon with region_name = `region` validates tokens
// there (a proxy, or a server a test stops). Throws unless Keystone agrees.
void add_identity_region(const std::string& region, int port);

// The [keystone_authtoken] section for a daemon whose service user is glance, validating at
// the Keystone on `port` (0: the fixture's), with `extra` lines appended. region_name is
// RegionOne (the fixture's own endpoints) unless `extra` sets another.
std::string keystone_authtoken_section(int port = 0, const std::string& extra = "");

// One more Keystone server process on the fixture's database and keys, on a free port, which
// a test may stop and start again without disturbing the fixture's. Stopped by the
// destructor.
class ExtraKeystone {
 public:
  explicit ExtraKeystone(std::string name);
  ~ExtraKeystone();
  ExtraKeystone(const ExtraKeystone&) = delete;
  ExtraKeystone& operator=(const ExtraKeystone&) = delete;
  // Starts it on a new free port (so the port may change) and returns the port.
  int start();
  // Starts it again on the same port; throws if that fails.
  void restart_on_same_port();
  void stop();
  int port() const { return port_; }

 private:
  std::string name_;
  int port_ = 0;
};

}  // namespace glance::testing
