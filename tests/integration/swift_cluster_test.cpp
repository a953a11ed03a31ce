// The Swift all-in-one the store tests run against: tempauth, an object's round trip through
// the Swift API, and the S3 API of the same proxy. A failure here is in the harness, not in
// a store.

#include "tests/support/swift_cluster.h"
#include "common/hex_digest.h"
#include "tests/support/http_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <ctime>
#include <random>
#include <string>

namespace glance::testing {
namespace {

// Unique per process, so the tests also pass against a cluster that outlived earlier runs.
// Lower case and short: it must also be a valid S3 bucket name.
std::string unique_name(const std::string& what) {
  return "harness-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::random_device{}() % 100000);
}

// Random binary data (NULs, CR, LF, bytes above 0x7f), so any conversion of the body shows.
std::string random_bytes(size_t n) {
  std::mt19937 gen(42);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen());
  return out;
}

class SwiftClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = swift_token(swift_cluster(), &storage_url_);
    account_ = url_path(storage_url_);
  }
  HeaderList auth() const { return {{"X-Auth-Token", token_}}; }
  HttpClient client() const { return HttpClient(swift_cluster().proxy_port); }

  std::string token_;
  std::string storage_url_;
  std::string account_;  // e.g. /v1/AUTH_test
};

TEST_F(SwiftClusterTest, TempauthGivesAStorageUrlOnTheProxy) {
  EXPECT_FALSE(token_.empty());
  EXPECT_EQ(storage_url_,
            "http://127.0.0.1:" + std::to_string(swift_cluster().proxy_port) + "/v1/AUTH_test");
}

TEST_F(SwiftClusterTest, TempauthRejectsAWrongKey) {
  const auto& cluster = swift_cluster();
  auto r = client().get(url_path(cluster.auth_url),
                        {{"X-Auth-User", cluster.user}, {"X-Auth-Key", cluster.key + "-wrong"}});
  EXPECT_EQ(r.status, 401u) << r.body;
}

TEST_F(SwiftClusterTest, ObjectRoundTripsByteExactAndIsDeleted) {
  auto c = client();
  std::string container = account_ + "/" + unique_name("c");
  auto made = c.put(container, "", auth());
  ASSERT_TRUE(made.status == 201u || made.status == 202u) << made.status << " " << made.body;

  std::string data = random_bytes(3 * 1024 * 1024 + 17);
  std::string object = container + "/image-1";
  auto put = c.put(object, data, auth());
  ASSERT_EQ(put.status, 201u) << put.body;
  // Swift's ETag of a plain object is the MD5 of its bytes (some versions quote it).
  std::string etag = put.header("ETag").value_or("");
  if (etag.size() > 1 && etag.front() == '"') etag = etag.substr(1, etag.size() - 2);
  EXPECT_EQ(etag, common::md5_hex(data));

  auto got = c.get(object, auth());
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.header("Content-Length").value_or(""), std::to_string(data.size()));
  EXPECT_TRUE(got.body == data) << "the object read back differs from what was written";

  EXPECT_EQ(c.del(object, auth()).status, 204u);
  EXPECT_EQ(c.get(object, auth()).status, 404u);
  EXPECT_EQ(c.del(container, auth()).status, 204u);
}

// An S3 signature of version 2 (HMAC-SHA1 over the request's canonical string), which the
// proxy's s3api accepts; enough for a request without a body.
std::string s3_v2_authorization(const SwiftCluster& cluster, const std::string& method,
                                const std::string& date, const std::string& resource) {
  std::string to_sign = method + "\n\n\n" + date + "\n" + resource;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), cluster.s3_secret_key.data(), static_cast<int>(cluster.s3_secret_key.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &mac_len);
  std::string b64(4 * ((mac_len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(mac_len));
  return "AWS " + cluster.s3_access_key + ":" + b64;
}

std::string http_date_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST_F(SwiftClusterTest, S3ListsASwiftContainerAsABucket) {
  const auto& cluster = swift_cluster();
  EXPECT_EQ(cluster.s3_endpoint, "http://127.0.0.1:" + std::to_string(cluster.proxy_port));
  auto c = client();
  std::string bucket = unique_name("b");
  ASSERT_EQ(c.put(account_ + "/" + bucket, "", auth()).status / 100, 2u);

  std::string date = http_date_now();
  auto r = c.get(
      "/", {{"Date", date}, {"Authorization", s3_v2_authorization(cluster, "GET", date, "/")}});
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/xml");
  EXPECT_NE(r.body.find("<ListAllMyBucketsResult"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Name>" + bucket + "</Name>"), std::string::npos) << r.body;
  EXPECT_EQ(c.del(account_ + "/" + bucket, auth()).status, 204u);
}

TEST_F(SwiftClusterTest, S3AnswersABadSignatureWithAnXmlError) {
  const auto& cluster = swift_cluster();
  std::string date = http_date_now();
  auto r = client().get(
      "/", {{"Date", date}, {"Authorization", "AWS " + cluster.s3_access_key + ":bogus"}});
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/xml");
  EXPECT_NE(r.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace glance::testing
