#include "tests/support/swift_cluster.h"

#include "tests/support/fixture_env.h"
#include "tests/support/http_client.h"

#include <stdexcept>

namespace glance::testing {

namespace {

SwiftCluster load_cluster() {
  FixtureEnv env("GLANCE_TEST_SWIFT_DIR", "cluster.env",
                 "run this test through ctest, which starts the Swift cluster (declare it with "
                 "glance_add_test(... NEEDS_SWIFT ...)), or point the variable at a directory "
                 "where scripts/swift-aio.sh start has run",
                 "the Swift cluster did not start (see the swift_cluster_start test's output)");
  SwiftCluster c;
  c.auth_url = env.get("SWIFT_AUTH_URL");
  c.user = env.get("SWIFT_USER");
  c.key = env.get("SWIFT_KEY");
  c.admin_user = env.get("SWIFT_ADMIN_USER");
  c.admin_key = env.get("SWIFT_ADMIN_KEY");
  c.s3_endpoint = env.get("S3_ENDPOINT");
  c.s3_access_key = env.get("S3_ACCESS_KEY");
  c.s3_secret_key = env.get("S3_SECRET_KEY");
  c.s3_region = env.get("S3_REGION");
  c.proxy_port = std::stoi(env.get("PROXY_PORT"));
  return c;
}

}  // namespace

const SwiftCluster& swift_cluster() {
  // A throwing initialiser leaves the static unset, so every later caller fails the same way.
  static const SwiftCluster cluster = load_cluster();
  return cluster;
}

std::string url_path(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

std::string swift_token(const SwiftCluster& cluster, std::string* storage_url) {
  HttpClient client(cluster.proxy_port);
  auto r = client.get(url_path(cluster.auth_url),
                      {{"X-Auth-User", cluster.user}, {"X-Auth-Key", cluster.key}});
  auto token = r.header("X-Auth-Token");
  auto url = r.header("X-Storage-Url");
  if (r.status / 100 != 2 || !token || !url)
    throw std::runtime_error("tempauth at " + cluster.auth_url + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  if (storage_url) *storage_url = *url;
  return *token;
}

std::vector<std::string> swift_object_names(const std::string& container) {
  std::string storage_url;
  const std::string token = swift_token(swift_cluster(), &storage_url);
  HttpClient swift(swift_cluster().proxy_port, {{"X-Auth-Token", token}});
  auto r = swift.get(url_path(storage_url) + "/" + container + "?format=json");
  std::vector<std::string> names;
  if (r.status == 404) return names;
  if (r.status != 200)
    throw std::runtime_error("listing Swift container " + container + " answered " +
                             std::to_string(r.status) + ": " + r.body);
  for (const auto& object : r.json()) names.push_back(object["name"].get<std::string>());
  return names;
}

}  // namespace glance::testing
