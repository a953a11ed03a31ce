// A Keystone identity endpoint that answers token validations with garbage: deeply nested
// JSON, bodies past the reply limit, truncated or mistyped documents. Each validation is a
// 503 (Keystone did not answer as it should), never a 200, a 401 or a 500, and the daemon
// keeps serving with its descriptors, threads and memory back at their baseline. The
// service user authenticates at the real Keystone; the catalog sends validations to the
// hostile server.

#include "tests/support/api_fixture.h"
#include "tests/support/keystone_server.h"
#include "tests/support/process_health.h"
#include "tests/support/source_server.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace glance::testing {
namespace {

std::string nested(size_t depth, char open, char close, const std::string& inner = "") {
  return std::string(depth, open) + inner + std::string(depth, close);
}

std::string deep_objects(size_t depth) {
  std::string out;
  for (size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

const std::string kUser = R"("expires_at": "2099-01-01T00:00:00Z", "user": {"id": "u"})";

TEST(KeystoneHostileValidation, GarbageFromTheIdentityEndpointIs503AndTheDaemonRecovers) {
  SourceServer hostile;
  std::string region = "Hostile-" + std::to_string(::getpid());
  add_identity_region(region, hostile.port());
  ApiEnvironment env(false, "", "",
                     "[paste_deploy]\nflavor = keystone\n" +
                         keystone_authtoken_section(0, "region_name = " + region + "\n"));
  const std::string token = keystone_token("alice", "alpha");
  auto client = env.client({{"X-Auth-Token", token}});
  const std::string target = "/v3/auth/tokens?nocatalog";
  // The service user's authentication happens on the first request; warm it up.
  hostile.put(target, "[]");
  ASSERT_EQ(client.get("/v1/images").status, 503u);
  auto baseline = ProcessHealth::snapshot(env.api().pid());

  const std::pair<const char*, std::string> bodies[] = {
      {"arrays nested 100,000 deep", "{\"token\": " + nested(100000, '[', ']') + "}"},
      {"objects nested 50,000 deep inside the token",
       "{\"token\": {" + kUser + ", \"x\": " + deep_objects(50000) + "}}"},
      {"unclosed nesting", "{\"token\": " + std::string(200000, '[')},
      {"20 MiB, past the reply limit",
       "{\"token\": {" + kUser + ", \"pad\": \"" + std::string(20 << 20, 'A') + "\"}}"},
      {"truncated", "{\"token\": {" + kUser},
      {"a token without a user", R"({"token": {"expires_at": "2099-01-01T00:00:00Z"}})"},
      {"not JSON at all", std::string(4096, '\xff')},
      {"JSON null", "null"},
      {"a string", "\"token\""},
  };
  for (const auto& [what, body] : bodies) {
    SCOPED_TRACE(what);
    hostile.put(target, body);
    auto r = client.get("/v1/images");
    EXPECT_EQ(r.status, 503u) << r.body.substr(0, 300);
  }
  EXPECT_GE(hostile.hits(target), std::size(bodies));
  // Still serving: version discovery needs no token.
  EXPECT_EQ(env.client().get("/").status, 300u);
  expect_recovered(env.api(), baseline);
}

}  // namespace
}  // namespace glance::testing
