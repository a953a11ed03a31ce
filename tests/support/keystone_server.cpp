#include "tests/support/keystone_server.h"

#include "common/clock.h"
#include "tests/support/fixture_env.h"
#include "tests/support/http_client.h"
#include "tests/support/mariadb_server.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace glance::testing {

namespace {

KeystoneServer load_server() {
  FixtureEnv env("GLANCE_TEST_KEYSTONE_DIR", "keystone.env",
                 "run this test through ctest, which starts Keystone (declare it with "
                 "glance_add_test(... NEEDS_KEYSTONE ...)), or point the variable at a directory "
                 "where scripts/keystone-aio.sh start has run",
                 "Keystone did not start (see the keystone_start test's output)");
  KeystoneServer k;
  k.dir = env.dir();
  k.url = env.get("KEYSTONE_URL");
  k.port = std::stoi(env.get("KEYSTONE_PORT"));
  k.alpha_project_id = env.get("ALPHA_PROJECT_ID");
  k.beta_project_id = env.get("BETA_PROJECT_ID");
  k.service_project_id = env.get("SERVICE_PROJECT_ID");
  k.alice_user_id = env.get("ALICE_USER_ID");
  k.bob_user_id = env.get("BOB_USER_ID");
  k.nova_user_id = env.get("NOVA_USER_ID");
  return k;
}

const HeaderList kJson = {{"Content-Type", "application/json"}};

std::string subject_token(const HttpResponse& r, const std::string& what) {
  auto token = r.header("X-Subject-Token");
  if (r.status != 201 || !token)
    throw std::runtime_error(what + ": Keystone answered " + std::to_string(r.status) + ": " +
                             r.body);
  return *token;
}

std::string script() {
  return std::string(GLANCE_SOURCE_DIR) + "/scripts/keystone-aio.sh";
}

}  // namespace

const KeystoneServer& keystone_server() {
  static const KeystoneServer server = load_server();
  return server;
}

std::string keystone_token(const std::string& user, const std::string& project, int port) {
  nlohmann::json body = {
      {"auth",
       {{"identity",
         {{"methods", {"password"}},
          {"password",
           {{"user",
             {{"name", user}, {"domain", {{"id", "default"}}}, {"password", user + "pw"}}}}}}},
        {"scope", {{"project", {{"name", project}, {"domain", {{"id", "default"}}}}}}}}}};
  HttpClient k(port ? port : keystone_server().port);
  return subject_token(k.post("/v3/auth/tokens", body.dump(), kJson), "token of " + user);
}

void revoke_token(const std::string& token) {
  HttpClient k(keystone_server().port);
  auto r = k.del("/v3/auth/tokens",
                 {{"X-Auth-Token", keystone_token("admin", "admin")}, {"X-Subject-Token", token}});
  if (r.status != 204)
    throw std::runtime_error("revoking a token: Keystone answered " + std::to_string(r.status) +
                             ": " + r.body);
}

std::string short_lived_token(int seconds) {
  static std::atomic<int> serial{0};
  const auto& ks = keystone_server();
  HttpClient k(ks.port);
  // Taken first: on a loaded machine each Keystone call may take seconds of the lifetime.
  std::string alice = keystone_token("alice", "alpha");
  auto expires = common::format_timestamp(
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()) +
      std::chrono::seconds(seconds));
  std::string name = "short-" + std::to_string(::getpid()) + "-" + std::to_string(++serial);
  // The role is named rather than taken from the token, whose implied roles Keystone checks
  // against the user's assignments again.
  nlohmann::json body = {{"application_credential",
                          {{"name", name},
                           {"expires_at", expires},
                           {"roles", nlohmann::json::array({{{"name", "member"}}})}}}};
  HttpResponse r;
  // Keystone (uwsgi, two processes) was once seen answering 400 "Could not find role
  // assignment" for alice's own member role under parallel tests; a second request succeeds.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    r = k.post("/v3/users/" + ks.alice_user_id + "/application_credentials", body.dump(),
               {{"Content-Type", "application/json"}, {"X-Auth-Token", alice}});
    if (r.status != 400) break;
  }
  if (r.status != 201)
    throw std::runtime_error("application credential: " + std::to_string(r.status) + r.body);
  auto credential = r.json()["application_credential"];
  nlohmann::json auth = {{"auth",
                          {{"identity",
                            {{"methods", {"application_credential"}},
                             {"application_credential",
                              {{"id", credential["id"]}, {"secret", credential["secret"]}}}}}}}};
  return subject_token(k.post("/v3/auth/tokens", auth.dump(), kJson), "short-lived token");
}

void add_identity_region(const std::string& region, int port) {
  HttpClient k(keystone_server().port);
  HeaderList h = {{"Content-Type", "application/json"},
                  {"X-Auth-Token", keystone_token("admin", "admin")}};
  auto r = k.post("/v3/regions", nlohmann::json{{"region", {{"id", region}}}}.dump(), h);
  if (r.status != 201) throw std::runtime_error("region: " + std::to_string(r.status) + r.body);
  r = k.get("/v3/services?type=identity", h);
  std::string service = r.json()["services"][0]["id"];
  nlohmann::json endpoint = {{"endpoint",
                              {{"service_id", service},
                               {"interface", "internal"},
                               {"region_id", region},
                               {"url", "http://127.0.0.1:" + std::to_string(port) + "/v3"}}}};
  r = k.post("/v3/endpoints", endpoint.dump(), h);
  if (r.status != 201) throw std::runtime_error("endpoint: " + std::to_string(r.status) + r.body);
}

std::string keystone_authtoken_section(int port, const std::string& extra) {
  std::string url = "http://127.0.0.1:" + std::to_string(port ? port : keystone_server().port);
  std::string region =
      extra.find("region_name") == std::string::npos ? "region_name = RegionOne\n" : "";
  return "\n[keystone_authtoken]\nwww_authenticate_uri = " + url + "/v3\nauth_url = " + url +
         "\nauth_type = password\nusername = glance\npassword = glancepw\n"
         "project_name = service\nuser_domain_id = default\nproject_domain_name = Default\n" +
         region + extra + "\n";
}

ExtraKeystone::ExtraKeystone(std::string name) : name_(std::move(name)) {}

ExtraKeystone::~ExtraKeystone() {
  try {
    stop();
  } catch (const std::exception&) {
  }
}

int ExtraKeystone::start() {
  auto out = run_command(script() + " serve " + keystone_server().dir + " " + name_);
  port_ = std::stoi(out.substr(out.find_last_of('\n', out.size() - 2) + 1));
  return port_;
}

void ExtraKeystone::restart_on_same_port() {
  run_command(script() + " serve " + keystone_server().dir + " " + name_ + " " +
              std::to_string(port_));
}

void ExtraKeystone::stop() {
  run_command(script() + " unserve " + keystone_server().dir + " " + name_);
}

}  // namespace glance::testing
