// glance-api with [paste_deploy] flavor = keystone against a real Keystone: tokens are
// validated, the caller's identity headers never count, 401 carries WWW-Authenticate, an
// unreachable Keystone is a 503, and validations are cached and shared.

#include "tests/support/api_fixture.h"
#include "tests/support/cutting_proxy.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/metrics_text.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <thread>

namespace glance::testing {
namespace {

const std::string kKeystoneFlavor = "[paste_deploy]\nflavor = keystone\n";

std::string api_tail(int port = 0, const std::string& extra = "") {
  return kKeystoneFlavor + keystone_authtoken_section(port, extra);
}

HeaderList with_token(const std::string& token, HeaderList more = {}) {
  more.emplace_back("X-Auth-Token", token);
  return more;
}

// Every header auth_token sets, forged as an admin of another project would wish.
HeaderList forged_identity() {
  return {{"X-Identity-Status", "Confirmed"},
          {"X-Roles", "admin"},
          {"X-Role", "admin"},
          {"X-Project-Id", "forged-project"},
          {"X-Tenant-Id", "forged-project"},
          {"X-Tenant", "forged-project"},
          {"X-User-Id", "forged-user"},
          {"X-User", "forged-user"},
          {"X-Is-Admin-Project", "True"},
          {"X-Service-Identity-Status", "Confirmed"},
          {"X-Service-Roles", "service"},
          {"X_Roles", "admin"}};
}

class KeystoneApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    guarded_suite_setup(
        [] {
          env_ = new ApiEnvironment(true, "", "", api_tail());
          alice_ = new std::string(keystone_token("alice", "alpha"));
          bob_ = new std::string(keystone_token("bob", "beta"));
        },
        &setup_error_);
  }
  static void TearDownTestSuite() {
    delete env_;
    delete alice_;
    delete bob_;
    env_ = nullptr;
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  static std::string create(const std::string& token, const std::string& name,
                            HeaderList more = {}) {
    more.emplace_back("x-image-meta-name", name);
    auto r = env_->client(with_token(token)).post("/v1/images", "", more);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : "";
  }

  static ApiEnvironment* env_;
  static std::string* alice_;
  static std::string* bob_;
  static std::string setup_error_;
};
ApiEnvironment* KeystoneApi::env_ = nullptr;
std::string* KeystoneApi::alice_ = nullptr;
std::string* KeystoneApi::bob_ = nullptr;
std::string KeystoneApi::setup_error_;

// 401 naming where to authenticate: the fixture's Keystone unless `port` says otherwise.
void expect_401(const HttpResponse& r, int port = 0) {
  EXPECT_EQ(r.status, 401u) << r.body;
  std::string url = port ? "http://127.0.0.1:" + std::to_string(port) : keystone_server().url;
  EXPECT_EQ(r.header("WWW-Authenticate").value_or(""), "Keystone uri=\"" + url + "/v3\"");
}

TEST_F(KeystoneApi, NoTokenIs401WithWhereToAuthenticate) {
  expect_401(env_->client().get("/v1/images"));
  expect_401(env_->client().head("/v1/images/0a6bf0b8-5f0c-4b6a-9e6e-2d3c5c4b1a10"));
  // Version discovery and the health check need no token, as upstream.
  EXPECT_EQ(env_->client().get("/").status, 300u);
  EXPECT_EQ(env_->client().get("/healthcheck").status, 200u);
}

TEST_F(KeystoneApi, ForgedIdentityHeadersWithoutATokenAreIgnored) {
  auto client = env_->client(forged_identity());
  expect_401(client.get("/v1/images/detail?is_public=none"));
  expect_401(client.post("/v1/images", "", {{"x-image-meta-name", "forged"}}));
  // Nothing was created behind the 401.
  auto all = env_->client(with_token(keystone_token("admin", "admin")))
                 .get("/v1/images/detail?is_public=none");
  ASSERT_EQ(all.status, 200u) << all.body;
  for (const auto& image : json_field(all, "images")) EXPECT_NE(image["name"], "forged");
}

TEST_F(KeystoneApi, ForgedIdentityHeadersWithATokenGiveTheTokensIdentity) {
  auto forged = forged_identity();
  forged.emplace_back("X-Auth-Token", *alice_);
  auto client = env_->client(forged);
  // Not an admin: a public image is refused, as for any member.
  EXPECT_EQ(client.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}).status, 403u);
  auto r = client.post("/v1/images", "", {{"x-image-meta-name", "alice-forging"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["owner"], keystone_server().alpha_project_id);
  std::string id = r.json()["image"]["id"];
  // Bob cannot reach it by claiming alpha either.
  auto bob = env_->client({{"X-Auth-Token", *bob_},
                           {"X-Project-Id", keystone_server().alpha_project_id},
                           {"X-Tenant-Id", keystone_server().alpha_project_id},
                           {"X-Roles", "admin"}});
  EXPECT_EQ(bob.head("/v1/images/" + id).status, 404u);
  EXPECT_EQ(bob.del("/v1/images/" + id).status, 404u);
  EXPECT_EQ(env_->client(with_token(*alice_)).head("/v1/images/" + id).status, 200u);
}

TEST_F(KeystoneApi, ValidTokensActForTheirProjectOnly) {
  std::string id = create(*alice_, "alice-private");
  auto alice = env_->client(with_token(*alice_));
  auto bob = env_->client(with_token(*bob_));
  EXPECT_EQ(alice.head("/v1/images/" + id).status, 200u);
  EXPECT_EQ(bob.head("/v1/images/" + id).status, 404u);
  EXPECT_EQ(bob.put("/v1/images/" + id, "", {{"x-image-meta-name", "mine"}}).status, 404u);
  // The Keystone admin role makes an admin.
  auto admin = env_->client(with_token(keystone_token("admin", "admin")));
  EXPECT_EQ(admin.head("/v1/images/" + id).status, 200u);
  EXPECT_EQ(admin.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}).status, 201u);
}

TEST_F(KeystoneApi, BogusTokensAre401) {
  ASSERT_EQ(env_->client(with_token(*alice_)).get("/v1/images").status, 200u);
  auto baseline = ProcessHealth::snapshot(env_->api().pid());
  for (const std::string& token :
       {std::string("gAAAAABbogus"), std::string("   "), std::string(4000, 'A'), *alice_ + "x",
        std::string("not a token, with spaces")}) {
    SCOPED_TRACE(token.substr(0, 40));
    expect_401(env_->client(with_token(token)).get("/v1/images"));
  }
  // X-Storage-Token is read like X-Auth-Token, as auth_token does.
  EXPECT_EQ(env_->client({{"X-Storage-Token", *alice_}}).get("/v1/images").status, 200u);
  expect_401(env_->client({{"X-Storage-Token", "bogus"}}).get("/v1/images"));
  expect_recovered(env_->api(), baseline);
}

TEST_F(KeystoneApi, ExpiredTokensAreRefusedEvenWhenCached) {
  // Long enough to be used before it expires on a loaded machine, where Keystone takes
  // seconds per call.
  std::string token = short_lived_token(30);
  auto client = env_->client(with_token(token));
  ASSERT_EQ(client.get("/v1/images").status, 200u);  // now cached for token_cache_time
  EXPECT_TRUE(
      eventually([&] { return client.get("/v1/images").status == 401; }, std::chrono::seconds(60)));
  expect_401(client.get("/v1/images"));
}

TEST_F(KeystoneApi, ServiceTokenWithUserTokenAsNovaSendsThem) {
  std::string nova = keystone_token("nova", "service");
  auto both = env_->client({{"X-Auth-Token", *alice_}, {"X-Service-Token", nova}});
  auto r = both.post("/v1/images", "", {{"x-image-meta-name", "via-nova"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  // The user's identity, not the service's.
  EXPECT_EQ(r.json()["image"]["owner"], keystone_server().alpha_project_id);

  // A bogus service token spoils the request even with a valid user token.
  expect_401(
      env_->client({{"X-Auth-Token", *alice_}, {"X-Service-Token", "bogus"}}).get("/v1/images"));
  // A valid token without the service role is no service token.
  expect_401(
      env_->client({{"X-Auth-Token", *alice_}, {"X-Service-Token", *bob_}}).get("/v1/images"));

  // A real service token vouches for an expired user token; nothing else does.
  std::string expiring = short_lived_token(20);
  ASSERT_TRUE(
      eventually([&] { return env_->client(with_token(expiring)).get("/v1/images").status == 401; },
                 std::chrono::seconds(30)));
  EXPECT_EQ(env_->client({{"X-Auth-Token", expiring}, {"X-Service-Token", nova}})
                .get("/v1/images")
                .status,
            200u);
  expect_401(
      env_->client({{"X-Auth-Token", expiring}, {"X-Service-Token", *bob_}}).get("/v1/images"));
  // A service token alone is no user.
  expect_401(env_->client({{"X-Service-Token", nova}}).get("/v1/images"));
}

TEST(KeystoneRevocation, RevokedTokenIsRefusedOnceItsCacheEntryEnds) {
  ApiEnvironment env(true, "", "", api_tail(0, "token_cache_time = 2\n"));
  std::string token = keystone_token("alice", "alpha");
  auto client = env.client(with_token(token));
  ASSERT_EQ(client.get("/v1/images").status, 200u);
  revoke_token(token);
  EXPECT_TRUE(
      eventually([&] { return client.get("/v1/images").status == 401; }, std::chrono::seconds(20)));
  expect_401(client.get("/v1/images"));
  // Other tokens still work.
  EXPECT_EQ(env.client(with_token(keystone_token("alice", "alpha"))).get("/v1/images").status,
            200u);
}

TEST(KeystoneRoundTrips, ConcurrentRequestsShareOneValidationAndCachedOnesCostNone) {
  // Validations go through a counting proxy, named in the catalog under a region of its own.
  CuttingProxy proxy(keystone_server().port, "\x01never");
  std::string region = "Counting-" + std::to_string(::getpid());
  add_identity_region(region, proxy.port());
  ApiEnvironment env(true, "", "", api_tail(0, "region_name = " + region + "\n"));
  // The first request also authenticates the service user; not counted below.
  ASSERT_EQ(env.client(with_token(keystone_token("bob", "beta"))).get("/v1/images").status, 200u);
  const std::string validate = "GET /v3/auth/tokens";
  int before = proxy.requests_starting(validate);
  EXPECT_EQ(before, 1);

  std::string token = keystone_token("alice", "alpha");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      if (env.client(with_token(token)).get("/v1/images").status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(proxy.requests_starting(validate) - before, 1);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(env.client(with_token(token)).get("/v1/images").status, 200u);
  EXPECT_EQ(proxy.requests_starting(validate) - before, 1);
}

TEST(KeystoneOutage, UnreachableKeystoneIs503AndServiceResumes) {
  ExtraKeystone keystone("outage-" + std::to_string(::getpid()));
  int port = keystone.start();
  std::string region = "Outage-" + std::to_string(::getpid());
  add_identity_region(region, port);
  ApiEnvironment env(true, "", "", api_tail(port, "region_name = " + region + "\n"));
  std::string cached = keystone_token("alice", "alpha");
  ASSERT_EQ(env.client(with_token(cached)).get("/v1/images").status, 200u);
  auto baseline = ProcessHealth::snapshot(env.api().pid());

  keystone.stop();
  std::string fresh = keystone_token("alice", "alpha");  // from the fixture's server
  for (int i = 0; i < 3; ++i) {
    auto r = env.client(with_token(fresh)).get("/v1/images");
    EXPECT_EQ(r.status, 503u) << r.body;  // never 401 (the token may be fine) nor 500
  }
  // A token validated before the outage still serves from the cache.
  EXPECT_EQ(env.client(with_token(cached)).get("/v1/images").status, 200u);
  // No token at all is still a plain 401: nothing needed asking.
  expect_401(env.client().get("/v1/images"), port);

  keystone.restart_on_same_port();
  EXPECT_TRUE(
      eventually([&] { return env.client(with_token(fresh)).get("/v1/images").status == 200; },
                 std::chrono::seconds(30)));
  expect_401(env.client(with_token("bogus")).get("/v1/images"), port);
  expect_recovered(env.api(), baseline);
}

TEST(KeystoneRegistry, ValidatesTheTokenTheApiForwards) {
  // Both daemons validate: the api forwards the caller's token, not identity headers.
  ApiEnvironment env(false, "", "", api_tail(), api_tail());
  std::string alice = keystone_token("alice", "alpha");
  auto r = env.client(with_token(alice)).post("/v1/images", "", {{"x-image-meta-name", "a"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["owner"], keystone_server().alpha_project_id);
  std::string id = r.json()["image"]["id"];
  EXPECT_EQ(env.client(with_token(keystone_token("bob", "beta"))).head("/v1/images/" + id).status,
            404u);

  // Straight at the registry, forged identity headers count for nothing.
  HttpClient registry(env.registry().daemon().port(), forged_identity());
  auto forged = registry.get("/images/detail?is_public=none");
  EXPECT_EQ(forged.status, 401u) << forged.body;
  EXPECT_EQ(registry.get("/images/" + id).status, 401u);
  auto as_alice = registry.get("/images/" + id, {{"X-Auth-Token", alice}});
  EXPECT_EQ(as_alice.status, 200u) << as_alice.body;
  auto as_bob = registry.get("/images/" + id, {{"X-Auth-Token", keystone_token("bob", "beta")}});
  EXPECT_EQ(as_bob.status, 404u) << as_bob.body;
}

double metric(const std::string& text, const std::string& series) {
  return series_value(text, series);
}

TEST(KeystoneMetrics, TokenCacheAndKeystoneRequestsAreCounted) {
  ApiEnvironment env(true, "", "", api_tail());
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  ASSERT_EQ(alice.get("/v1/images").status, 200u);  // the service user authenticates, a miss
  for (int i = 0; i < 5; ++i) ASSERT_EQ(alice.get("/v1/images").status, 200u);   // hits
  expect_401(env.client(with_token("gAAAAABbogus-metrics")).get("/v1/images"));  // a miss
  const std::string text = env.client().get("/metrics").body;
  const std::string lookups = "glance_auth_token_cache_lookups_total";
  EXPECT_EQ(metric(text, lookups + "{result=\"hit\"}"), 5) << text;
  EXPECT_EQ(metric(text, lookups + "{result=\"miss\"}"), 2);
  EXPECT_EQ(metric(text, lookups + "{result=\"joined\"}"), 0);
  const std::string validations = "glance_auth_keystone_token_validations_total";
  EXPECT_EQ(metric(text, validations + "{outcome=\"ok\"}"), 1);
  EXPECT_EQ(metric(text, validations + "{outcome=\"rejected\"}"), 1);
  EXPECT_EQ(metric(text, validations + "{outcome=\"unreachable\"}"), 0);
  EXPECT_EQ(metric(text, "glance_auth_keystone_token_validation_duration_seconds_count"), 2);
  // The service user authenticated once, for the first validation; its token serves the rest.
  const std::string authentications = "glance_auth_service_token_authentications_total";
  EXPECT_EQ(metric(text, authentications + "{outcome=\"issued\"}"), 1);
  EXPECT_EQ(metric(text, authentications + "{outcome=\"refused\"}"), 0);
  EXPECT_EQ(metric(text, authentications + "{outcome=\"unreachable\"}"), 0);
  EXPECT_EQ(metric(text, "glance_auth_service_token_authentication_duration_seconds_count"), 1);
}

TEST(KeystoneConfig, FlavorKeystoneWithoutServiceCredentialsRefusesToStart) {
  for (const std::string& section :
       {std::string(), std::string("\n[keystone_authtoken]\nauth_url = http://127.0.0.1:1\n"),
        keystone_authtoken_section(0, "auth_type = v3token\n"),
        keystone_authtoken_section(0, "auth_url = ftp://x\n")}) {
    SCOPED_TRACE(section);
    Daemon api(api_binary(),
               "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\n" + kKeystoneFlavor + section);
    try {
      api.start();
      ADD_FAILURE() << "glance-api started";
    } catch (const std::runtime_error& e) {
      // Exited at start-up, naming the section to fix.
      EXPECT_NE(std::string(e.what()).find("in [keystone_authtoken]"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace glance::testing
