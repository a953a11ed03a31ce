#include "tests/support/swift_cluster.h"

#include "tests/support/http_client.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

namespace glance::testing {

namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("no " + path +
                             ": the Swift cluster did not start (see the swift_cluster_start "
                             "test's output)");
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

SwiftCluster load_cluster() {
  const char* dir = std::getenv("GLANCE_TEST_SWIFT_DIR");
  if (!dir || !*dir)
    throw std::runtime_error(
        "GLANCE_TEST_SWIFT_DIR is not set: run this test through ctest, which starts the Swift "
        "cluster (declare it with glance_add_test(... NEEDS_SWIFT ...)), or point the variable "
        "at a directory where scripts/swift-aio.sh start has run");
  std::string path = std::string(dir) + "/cluster.env";
  auto values = read_env_file(path);
  auto get = [&](const std::string& key) {
    auto it = values.find(key);
    if (it == values.end() || it->second.empty()) throw std::runtime_error(path + " lacks " + key);
    return it->second;
  };
  SwiftCluster c;
  c.auth_url = get("SWIFT_AUTH_URL");
  c.user = get("SWIFT_USER");
  c.key = get("SWIFT_KEY");
  c.admin_user = get("SWIFT_ADMIN_USER");
  c.admin_key = get("SWIFT_ADMIN_KEY");
  c.s3_endpoint = get("S3_ENDPOINT");
  c.s3_access_key = get("S3_ACCESS_KEY");
  c.s3_secret_key = get("S3_SECRET_KEY");
  c.s3_region = get("S3_REGION");
  c.proxy_port = std::stoi(get("PROXY_PORT"));
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

}  // namespace glance::testing
