// glance-api's own dealings with a real Keystone: the registry link's token when
// use_user_token is off, the orphan reaper's calls to a registry that validates tokens, and
// the back-off when Keystone refuses the service user, and WWW-Authenticate on the 401s
// given behind the token check under delay_auth_decision.

#include "tests/support/answering_proxy.h"
#include "tests/support/api_fixture.h"
#include "tests/support/closed_port.h"
#include "tests/support/cutting_proxy.h"
#include "tests/support/eventually.h"
#include "tests/support/keystone_server.h"
#include "tests/support/metrics_text.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <iterator>

namespace glance::testing {
namespace {

const std::string kKeystoneFlavor = "[paste_deploy]\nflavor = keystone\n";

std::string keystone_tail(int port = 0, const std::string& extra = "") {
  return kKeystoneFlavor + keystone_authtoken_section(port, extra);
}

// `auth_url` defaults to the fixture's Keystone.
std::string registry_admin(const std::string& password, std::string auth_url = "") {
  if (auth_url.empty()) auth_url = keystone_server().url + "/v3";
  return "use_user_token = False\nauth_url = " + auth_url +
         "\nadmin_user = glance\nadmin_password = " + password + "\nadmin_tenant_name = service\n";
}

HeaderList with_token(const std::string& token) {
  return {{"X-Auth-Token", token}};
}

TEST(KeystoneRegistryLink, WithoutUserTokensTheApiActsWithItsOwnAdminToken) {
  // Both daemons validate tokens; the registry sees the api's token (glance, an admin), never
  // the caller's, as upstream's use_user_token = False does.
  ApiEnvironment env(false, registry_admin("glancepw"), "", keystone_tail(), keystone_tail());
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  auto r = alice.post("/v1/images", "", {{"x-image-meta-name", "linked"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  // The api still names the caller's project as owner.
  EXPECT_EQ(r.json()["image"]["owner"], keystone_server().alpha_project_id);
  std::string id = r.json()["image"]["id"];
  // The registry applies the admin's visibility: bob sees alice's private image through the
  // api, which he would not with his own token at the registry.
  auto bob = env.client(with_token(keystone_token("bob", "beta")));
  EXPECT_EQ(bob.head("/v1/images/" + id).status, 200u);
  // The caller's token is still validated by the api.
  EXPECT_EQ(env.client(with_token("bogus")).get("/v1/images").status, 401u);
}

TEST(KeystoneRegistryLink, RefusedAdminCredentialsAre503NotAnotherIdentity) {
  ApiEnvironment env(false, registry_admin("wrong"), "", keystone_tail(), keystone_tail());
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  auto r = alice.get("/v1/images");
  EXPECT_EQ(r.status, 503u) << r.body;
  EXPECT_EQ(alice.post("/v1/images", "", {{"x-image-meta-name", "x"}}).status, 503u);
}

// glance_auth_service_token_authentications_total{outcome="..."} in `text`, -1 when absent.
double authentications(const std::string& text, const std::string& outcome) {
  return series_value(
      text, "glance_auth_service_token_authentications_total{outcome=\"" + outcome + "\"}");
}

TEST(KeystoneMetrics, ServiceTokenAuthenticationsAreCountedByOutcome) {
  // No orphan reaper: only the request below makes the registry link authenticate.
  const std::string no_reaper = "upload_orphan_timeout = 0\n";
  {
    ApiEnvironment env(false, registry_admin("wrong") + no_reaper, "", keystone_tail(),
                       keystone_tail());
    auto alice = env.client(with_token(keystone_token("alice", "alpha")));
    // The api's service user authenticates to validate alice's token (issued); the registry
    // link's admin credentials are refused.
    EXPECT_EQ(alice.get("/v1/images").status, 503u);
    const std::string text = env.client().get("/metrics").body;
    EXPECT_EQ(authentications(text, "issued"), 1) << text;
    EXPECT_EQ(authentications(text, "refused"), 1);
    EXPECT_EQ(authentications(text, "error"), 0);
    EXPECT_EQ(authentications(text, "unreachable"), 0);
    EXPECT_EQ(series_value(text, "glance_auth_service_token_authentication_duration_seconds_count"),
              2);
  }
  {
    // The registry link's Keystone is not there: no back-off, each call asks again.
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v3";
    ApiEnvironment env(false, registry_admin("glancepw", nowhere) + no_reaper, "", keystone_tail(),
                       keystone_tail());
    auto alice = env.client(with_token(keystone_token("alice", "alpha")));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(alice.get("/v1/images").status, 503u);
    const std::string text = env.client().get("/metrics").body;
    EXPECT_EQ(authentications(text, "issued"), 1) << text;  // the api's own, cached
    EXPECT_EQ(authentications(text, "refused"), 0);
    EXPECT_EQ(authentications(text, "error"), 0);
    EXPECT_EQ(authentications(text, "unreachable"), 3);
    EXPECT_EQ(series_value(text, "glance_auth_service_token_authentication_duration_seconds_count"),
              4);
    // The token validations were not counted as service authentications, nor the reverse.
    EXPECT_EQ(series_value(text, "glance_auth_keystone_token_validations_total{outcome=\"ok\"}"),
              1);
  }
}

// What Keystone answers a password authentication with when it fails on its side.
const std::string kKeystone503 =
    json_response(503, "Service Unavailable",
                  R"({"error": {"code": 503, "message": "The server is currently unavailable.", )"
                  R"("title": "Service Unavailable"}})");

// The authentication counts of `daemon`'s /metrics, in the order issued, refused, error,
// unreachable.
std::vector<double> authentication_counts(const Daemon& daemon) {
  const std::string text = HttpClient(daemon.port()).get("/metrics").body;
  std::vector<double> counts;
  for (const char* outcome : {"issued", "refused", "error", "unreachable"})
    counts.push_back(authentications(text, outcome));
  return counts;
}

// `daemon` validates tokens (flavor keystone) with a service user that authenticates through
// `proxy`, in front of the real Keystone, and has not authenticated yet. Keystone failing on
// its side (a 503, then a 201 without X-Subject-Token) is an `error`, never a refusal of the
// credentials: the daemon answers `path` with 503 each time (no back-off: each request asks
// again), and serves as before once Keystone answers properly.
void expect_keystone_errors_counted_and_survived(Daemon& daemon, AnsweringProxy& proxy,
                                                 const std::string& path) {
  using namespace std::chrono_literals;
  const std::string authenticate = "POST /v3/auth/tokens";
  auto alice = HttpClient(daemon.port(), with_token(keystone_token("alice", "alpha")));
  // Whatever pools start lazily and do not need the service user, before the baseline.
  ASSERT_EQ(HttpClient(daemon.port()).get("/healthcheck/detailed").status, 200u);
  proxy.answer(authenticate, kKeystone503);
  auto first = alice.get(path);
  EXPECT_EQ(first.status, 503u) << first.body;
  EXPECT_NE(first.body.find("Keystone"), std::string::npos) << first.body;
  const auto baseline = ProcessHealth::snapshot(daemon.pid());

  for (int i = 0; i < 3; ++i) EXPECT_EQ(alice.get(path).status, 503u);
  const int unavailable = proxy.meddled();
  EXPECT_EQ(unavailable, 4);  // one authentication per request
  EXPECT_EQ(authentication_counts(daemon), (std::vector<double>{0, 0, 4, 0}));
  // Failed authentications hold nothing: their connections are pooled or closed.
  expect_recovered(daemon, baseline);

  // A 201 from the real Keystone, its token header taken out on the way.
  proxy.strip_header(authenticate, "X-Subject-Token");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(alice.get(path).status, 503u);
  EXPECT_EQ(proxy.meddled(), unavailable + 2);
  EXPECT_EQ(authentication_counts(daemon), (std::vector<double>{0, 0, 6, 0}));
  EXPECT_EQ(proxy.requests_starting(authenticate), 6);
  EXPECT_NE(daemon.log().find("cannot authenticate the service user glance"), std::string::npos)
      << daemon.log();
  expect_recovered(daemon, baseline);

  // Keystone answers again: the next request authenticates and is served, and the token is
  // kept for the ones after it.
  proxy.pass();
  EXPECT_EQ(alice.get(path).status, 200u) << daemon.log();
  EXPECT_EQ(alice.get(path).status, 200u);
  EXPECT_EQ(authentication_counts(daemon), (std::vector<double>{1, 0, 6, 0}));
  EXPECT_EQ(proxy.requests_starting(authenticate), 7);
  EXPECT_EQ(HttpClient(daemon.port(), with_token("bogus")).get(path).status, 401u);
  // The first requests served opened what only a token reaches (the registry's database
  // connections, Keystone's validation endpoint): from here on nothing more.
  const auto served = ProcessHealth::snapshot(daemon.pid());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(alice.get(path).status, 200u);
  expect_recovered(daemon, served, [&](const Daemon&) { return alice.get(path).status == 200; });
  EXPECT_EQ(authentication_counts(daemon), (std::vector<double>{1, 0, 6, 0}));
}

TEST(KeystoneMetrics, ApiServiceUserAuthenticationsKeystoneFailsAreErrors) {
  AnsweringProxy proxy(keystone_server().port);
  // No orphan reaper: only requests make the service user authenticate.
  ApiEnvironment env(false, "upload_orphan_timeout = 0\n", "", keystone_tail(proxy.port()));
  expect_keystone_errors_counted_and_survived(env.api(), proxy, "/v1/images");
}

TEST(KeystoneMetrics, RegistryServiceUserAuthenticationsKeystoneFailsAreErrors) {
  AnsweringProxy proxy(keystone_server().port);
  // One database connection, which /healthcheck/detailed opens before the baseline: the
  // pool's other seven would open one by one as requests come, whatever Keystone does.
  RegistryEnvironment registry(keystone_tail(proxy.port()) + "\n[database]\nmax_pool_size = 1\n");
  expect_keystone_errors_counted_and_survived(registry.daemon(), proxy, "/images");
}

// The image's status as the registry tells an admin, "?" when it does not answer 200.
std::string registry_status(ApiEnvironment& env, const std::string& id) {
  HttpClient registry(env.registry().daemon().port(), with_token(keystone_token("admin", "admin")));
  auto r = registry.get("/images/" + id);
  return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
}

TEST(KeystoneOrphanReaper, KillsADeadUploadAtARegistryThatValidatesTokens) {
  using namespace std::chrono_literals;
  ApiEnvironment env(false, "upload_orphan_timeout = 2\n", "", keystone_tail(), keystone_tail());
  const std::string alice = keystone_token("alice", "alpha");
  auto created = env.client(with_token(alice))
                     .post("/v1/images", "",
                           {{"x-image-meta-name", "orphan"},
                            {"x-image-meta-disk_format", "raw"},
                            {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  // The registry refuses calls without a token: the reaper's must carry one.
  EXPECT_EQ(HttpClient(env.registry().daemon().port()).get("/images/" + id).status, 401u);
  {
    RawConnection upload(env.api().port());
    ASSERT_TRUE(upload.send("PUT /v1/images/" + id +
                            " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + alice +
                            "\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Length: 90000\r\n\r\n" +
                            std::string(30000, 'p')));
    ASSERT_TRUE(eventually([&] { return registry_status(env, id) == "saving"; }, 30s));
    ASSERT_TRUE(eventually([&] { return env.stored_files() == 1; }, 20s));
    env.api().signal(SIGKILL);
    ASSERT_EQ(env.api().wait_exit(20s), 128 + SIGKILL);
  }
  std::ifstream config_file(env.api().config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)),
                           std::istreambuf_iterator<char>());
  Daemon restarted(api_binary(), config);
  restarted.start();
  EXPECT_TRUE(eventually([&] { return registry_status(env, id) == "killed"; }, 60s))
      << registry_status(env, id) << "\n"
      << restarted.log();
  EXPECT_TRUE(eventually([&] { return env.stored_files() == 0; }, 20s));
  EXPECT_EQ(restarted.log().find("orphan reaper cannot list"), std::string::npos)
      << restarted.log();
}

// A Keystone user of the test's own (service role on project service, as a daemon's service
// user needs), whose password the test may change; deleted by the destructor.
class ServiceUser {
 public:
  ServiceUser(std::string name, const std::string& password) : name_(std::move(name)) {
    nlohmann::json user = {
        {"user", {{"name", name_}, {"domain_id", "default"}, {"password", password}}}};
    auto r = admin().post("/v3/users", user.dump(), {{"Content-Type", "application/json"}});
    if (r.status != 201) throw std::runtime_error("user: " + std::to_string(r.status) + r.body);
    id_ = r.json()["user"]["id"];
    auto roles = admin().get("/v3/roles?name=service");
    std::string role = roles.json()["roles"][0]["id"];
    r = admin().put(
        "/v3/projects/" + keystone_server().service_project_id + "/users/" + id_ + "/roles/" + role,
        "");
    if (r.status != 204) throw std::runtime_error("role: " + std::to_string(r.status) + r.body);
  }
  ~ServiceUser() { admin().del("/v3/users/" + id_); }
  void set_password(const std::string& password) {
    nlohmann::json user = {{"user", {{"password", password}}}};
    auto r = admin().request("PATCH", "/v3/users/" + id_, {{"Content-Type", "application/json"}},
                             user.dump());
    if (r.status != 200) throw std::runtime_error("password: " + std::to_string(r.status) + r.body);
  }
  const std::string& name() const { return name_; }

 private:
  static HttpClient admin() {
    return HttpClient(keystone_server().port, {{"X-Auth-Token", keystone_token("admin", "admin")}});
  }
  std::string name_;
  std::string id_;
};

TEST(KeystoneServiceUser, RefusedPasswordBacksOffAnswering503AndRecovers) {
  using namespace std::chrono_literals;
  const std::string password = "right-" + std::to_string(::getpid());
  ServiceUser user("backoff-" + std::to_string(::getpid()), "not-yet-" + password);
  // The service user authenticates through a counting proxy; validations go to the catalog's
  // endpoint, straight to Keystone.
  CuttingProxy proxy(keystone_server().port, "\x01never");
  const std::string url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ApiEnvironment env(false, "", "",
                     kKeystoneFlavor + "\n[keystone_authtoken]\nwww_authenticate_uri = " + url +
                         "/v3\nauth_url = " + url + "\nauth_type = password\nusername = " +
                         user.name() + "\npassword = " + password +
                         "\nproject_name = service\nuser_domain_id = default\n"
                         "project_domain_name = Default\nregion_name = RegionOne\n");
  auto alice = env.client(with_token(keystone_token("alice", "alpha")));
  const std::string authenticate = "POST /v3/auth/tokens";

  constexpr int kRequests = 20;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    auto r = alice.get("/v1/images");
    EXPECT_EQ(r.status, 503u) << r.body;  // never 401: alice's token may well be fine
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Back-offs of 1, 2, 4... seconds: within `seconds`, at most this many attempts.
  const int bound = 2 + static_cast<int>(std::log2(seconds + 1));
  const int attempts = proxy.requests_starting(authenticate);
  EXPECT_GE(attempts, 1);
  EXPECT_LE(attempts, bound) << kRequests << " requests in " << seconds << " s";
  RecordProperty("authentications", attempts);
  // Logged once per refusal, not per request.
  const std::string log = env.api().log();
  size_t logged = 0;
  for (size_t at = log.find("cannot authenticate the service user"); at != std::string::npos;
       at = log.find("cannot authenticate the service user", at + 1))
    ++logged;
  EXPECT_EQ(logged, static_cast<size_t>(proxy.requests_starting(authenticate))) << log;

  // Once Keystone accepts the password, service resumes by itself.
  user.set_password(password);
  EXPECT_TRUE(eventually([&] { return alice.get("/v1/images").status == 200; }, 120s))
      << env.api().log();
  EXPECT_EQ(env.client(with_token("bogus")).get("/v1/images").status, 401u);
}

// A listening socket that never accepts: an authentication there connects (the kernel
// completes it), sends, and waits for an answer that never comes.
class SilentListener {
 public:
  SilentListener() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("silent listener");
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }
  // True once a connection waits in the backlog.
  bool reached(std::chrono::milliseconds timeout) {
    pollfd pending{fd_, POLLIN, 0};
    return poll(&pending, 1, static_cast<int>(timeout.count())) == 1;
  }

 private:
  int fd_;
  int port_ = 0;
};

// The coroutine of a request waiting on Keystone is still suspended when `daemon` stops: it
// is destroyed at shutdown, and must be before the objects it works for.
void expect_clean_stop_while_keystone_hangs(Daemon& daemon, SilentListener& keystone) {
  RawConnection waiting(daemon.port());
  ASSERT_TRUE(waiting.send("GET /images HTTP/1.1\r\nHost: glance\r\nX-Auth-Token: " +
                           keystone_token("alice", "alpha") + "\r\n\r\n"));
  ASSERT_TRUE(keystone.reached(std::chrono::seconds(10))) << "Keystone was not asked";
  const auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  // At most the grace period, then the time cut requests get to end (10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(30));
}

TEST(KeystoneServiceUser, StoppingWhileKeystoneNeverAnswersExitsCleanly) {
  SilentListener keystone;
  ApiEnvironment env(false, "graceful_shutdown_timeout = 1\n", "", keystone_tail(keystone.port()));
  expect_clean_stop_while_keystone_hangs(env.api(), keystone);
}

TEST(KeystoneRegistry, StoppingWhileKeystoneNeverAnswersExitsCleanly) {
  SilentListener keystone;
  RegistryEnvironment registry("graceful_shutdown_timeout = 1\n" + keystone_tail(keystone.port()));
  expect_clean_stop_while_keystone_hangs(registry.daemon(), keystone);
}

void expect_401_naming_keystone(const HttpResponse& r) {
  EXPECT_EQ(r.status, 401u) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate").value_or(""),
            "Keystone uri=\"" + keystone_server().url + "/v3\"");
}

TEST(KeystoneDelayedDecision, TheContextsLater401SaysWhereToAuthenticate) {
  ApiEnvironment env(false, "", "", keystone_tail(0, "delay_auth_decision = true\n"));
  // The token check lets these on, marked invalid; the context refuses them.
  expect_401_naming_keystone(env.client(with_token("bogus")).get("/v1/images"));
  expect_401_naming_keystone(env.client().get("/v1/images"));
  expect_401_naming_keystone(
      env.client(with_token("bogus")).post("/v1/images", "", {{"x-image-meta-name", "x"}}));
  EXPECT_EQ(env.client(with_token(keystone_token("alice", "alpha"))).get("/v1/images").status,
            200u);
  // Answers other than 401 are left alone.
  auto missing = env.client(with_token(keystone_token("alice", "alpha")))
                     .head("/v1/images/0a6bf0b8-5f0c-4b6a-9e6e-2d3c5c4b1a10");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_FALSE(missing.header("WWW-Authenticate"));
}

TEST(KeystoneDelayedDecision, AHandlers401BehindAnonymousAccessSaysWhereToAuthenticate) {
  // Anonymous read-only access at the api; the registry validates the (invalid) token the
  // api forwards and refuses it, and the api passes that 401 on from its handler.
  ApiEnvironment env(false, "allow_anonymous_access = true\n", "",
                     keystone_tail(0, "delay_auth_decision = true\n"), keystone_tail());
  expect_401_naming_keystone(env.client(with_token("bogus")).get("/v1/images"));
  auto write = env.client(with_token("bogus")).post("/v1/images", "", {{"x-image-meta-name", "x"}});
  EXPECT_EQ(write.status, 403u) << write.body;  // read-only: refused before the registry
  EXPECT_FALSE(write.header("WWW-Authenticate"));
}

}  // namespace
}  // namespace glance::testing
