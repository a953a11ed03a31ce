#pragma once

#include <string>
#include <vector>

namespace glance::testing {

// Where and how to reach the Swift all-in-one that ctest starts once per run
// (scripts/swift-aio.sh, the swift_cluster fixture in tests/CMakeLists.txt). One proxy serves
// the Swift API (tempauth) and the S3 API (s3api) over the same account, so a container made
// through one is a bucket seen through the other. Everything listens on 127.0.0.1.
struct SwiftCluster {
  std::string auth_url;  // tempauth v1.0, e.g. http://127.0.0.1:PORT/auth/v1.0
  std::string user;      // test:tester, an .admin of account AUTH_test
  std::string key;
  std::string admin_user;  // admin:admin, also .reseller_admin
  std::string admin_key;
  std::string s3_endpoint;    // http://127.0.0.1:PORT, path-style buckets
  std::string s3_access_key;  // tempauth's account:user; contains a colon
  std::string s3_secret_key;  // tempauth's key
  std::string s3_region;
  int proxy_port = 0;
};

// The cluster named by $GLANCE_TEST_SWIFT_DIR/cluster.env, read once; safe to call from any
// test. Tests that use it are declared with glance_add_test(... NEEDS_SWIFT ...), which sets
// that variable and makes ctest start the cluster first. Throws std::runtime_error, which
// fails the calling test, if the variable is unset or the file is missing or incomplete: a
// test that needs Swift must never pass or skip without one.
const SwiftCluster& swift_cluster();

// Authenticates as `cluster.user` through tempauth (GET /auth/v1.0) and returns the token.
// Stores the account's X-Storage-Url in `*storage_url` unless it is null. Throws
// std::runtime_error with the status and body if the proxy does not answer 2xx.
std::string swift_token(const SwiftCluster& cluster, std::string* storage_url);

// The names of the objects in `container` of the cluster's account (its user's), read
// through the Swift API with a fresh token; none when the container does not exist. Throws
// std::runtime_error on any other failure.
std::vector<std::string> swift_object_names(const std::string& container);

// The path and query of an absolute http URL ("http://h:p/v1/AUTH_test" -> "/v1/AUTH_test"),
// the form HttpClient takes as a target.
std::string url_path(const std::string& url);

}  // namespace glance::testing
