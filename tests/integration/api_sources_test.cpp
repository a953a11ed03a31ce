// Image data that comes from elsewhere, through glance-api, glance-registry and a real HTTP
// source server: x-image-meta-location, x-glance-api-copy-from and
// the source policy that keeps both from reaching what they must not.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <utility>

namespace glance::testing {
namespace {

const HeaderList kFormats = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"}};

// Polls HEAD until the image leaves queued/saving; returns its final status.
std::string settle(const HttpClient& client, const std::string& id, const HeaderList& who = {}) {
  std::string status;
  bool settled = eventually([&] {
    status = client.head("/v1/images/" + id, who).header("x-image-meta-status").value_or("");
    return status != "queued" && status != "saving";
  });
  return settled ? status : "timeout";
}

// This machine's host name and the IPv4 address it resolves to, when that is a loopback
// address: a name that reaches this host without being "localhost", which the source policy
// refuses by name before any lookup.
std::optional<std::pair<std::string, std::string>> loopback_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &found) != 0 || !found) return std::nullopt;
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
  const bool loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  ::freeaddrinfo(found);
  if (!loopback) return std::nullopt;
  return std::pair<std::string, std::string>{name, text};
}

class ApiSources : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = new SourceServer();
    source_->put("/image.raw", random_bytes(3 << 20, 1));
    source_->put("/small.raw", random_bytes(1000, 2));
    // The tests' source server is on loopback, which copy_from refuses unless allowed.
    env_ = new ApiEnvironment(false, "external_source_allowed_hosts = 127.0.0.1\n",
                              "stores = file, http\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    delete source_;
  }

  std::string settle(const std::string& id) const { return testing::settle(client_, id); }
  size_t image_count() const {
    return client_.get("/v1/images/detail?is_public=none").json()["images"].size();
  }

  static SourceServer* source_;
  static ApiEnvironment* env_;
  HttpClient client_ = env_->client();
};
SourceServer* ApiSources::source_ = nullptr;
ApiEnvironment* ApiSources::env_ = nullptr;

TEST_F(ApiSources, LocationImageIsActiveAtOnceAndDownloadsFromTheSource) {
  auto r = client_.post("/v1/images", "",
                        with(kFormats, {{"x-image-meta-name", "at-location"},
                                        {"x-image-meta-location", source_->url("/image.raw")}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  auto image = r.json()["image"];
  EXPECT_EQ(image["status"], "active");
  EXPECT_EQ(image["size"], 3 << 20);
  EXPECT_TRUE(image["checksum"].is_null());
  EXPECT_FALSE(image.contains("location"));
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "the location is never shown";
  std::string id = image["id"];
  auto head = client_.head("/v1/images/" + id);
  EXPECT_FALSE(head.header("x-image-meta-location"));
  auto data = client_.get("/v1/images/" + id);
  ASSERT_EQ(data.status, 200u);
  EXPECT_TRUE(data.body == random_bytes(3 << 20, 1));
  auto part = client_.get("/v1/images/" + id, {{"Range", "bytes=1048570-1048579"}});
  ASSERT_EQ(part.status, 206u);
  EXPECT_EQ(part.body, random_bytes(3 << 20, 1).substr(1048570, 10));
  // Deleting the image leaves the source alone: it is not ours.
  EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
  EXPECT_EQ(HttpClient(source_->port()).head("/image.raw").status, 200u);
}

TEST_F(ApiSources, LocationFollowsRedirectsUpToFive) {
  auto r = client_.post(
      "/v1/images", "",
      with(kFormats, {{"x-image-meta-location", source_->url("/redirect/4/small.raw")}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["size"], 1000);
  EXPECT_EQ(client_.get("/v1/images/" + r.json()["image"]["id"].get<std::string>()).body,
            random_bytes(1000, 2));
  size_t before = image_count();
  auto loop = client_.post(
      "/v1/images", "",
      with(kFormats, {{"x-image-meta-location", source_->url("/redirect/9/small.raw")}}));
  EXPECT_EQ(loop.status, 400u) << loop.body;
  EXPECT_NE(loop.body.find("redirects"), std::string::npos) << loop.body;
  EXPECT_EQ(image_count(), before);
}

TEST_F(ApiSources, MissingLocationIs404AndReservesNothing) {
  size_t before = image_count();
  auto r = client_.post("/v1/images", "",
                        with(kFormats, {{"x-image-meta-location", source_->url("/nothing")}}));
  EXPECT_EQ(r.status, 404u) << r.body;
  auto refused = client_.post(
      "/v1/images", "", with(kFormats, {{"x-image-meta-location", source_->url("/status/500")}}));
  EXPECT_EQ(refused.status, 400u) << refused.body;
  EXPECT_EQ(image_count(), before);
}

TEST_F(ApiSources, DeclaredSizeMustMatchTheLocation) {
  auto r = client_.post("/v1/images", "",
                        with(kFormats, {{"x-image-meta-location", source_->url("/small.raw")},
                                        {"x-image-meta-size", "999"}}));
  EXPECT_EQ(r.status, 409u) << r.body;
  EXPECT_NE(r.body.find("provided size: 999, stored size: 1000"), std::string::npos) << r.body;
}

TEST_F(ApiSources, LocationWithoutFormatsLeavesTheImageQueued) {
  auto r = client_.post(
      "/v1/images", "",
      {{"x-image-meta-name", "no-formats"}, {"x-image-meta-location", source_->url("/small.raw")}});
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("Disk format is not specified."), std::string::npos);
}

TEST_F(ApiSources, LocationOnPutOnlyWhileQueued) {
  auto queued = client_.post("/v1/images", "", with(kFormats, {{"x-image-meta-name", "later"}}));
  ASSERT_EQ(queued.status, 201u);
  std::string id = queued.json()["image"]["id"];
  auto set =
      client_.put("/v1/images/" + id, "", {{"x-image-meta-location", source_->url("/small.raw")}});
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(set.json()["image"]["status"], "active");
  EXPECT_EQ(set.json()["image"]["size"], 1000);
  auto again =
      client_.put("/v1/images/" + id, "", {{"x-image-meta-location", source_->url("/image.raw")}});
  EXPECT_EQ(again.status, 400u);
  EXPECT_NE(again.body.find("not in queued status"), std::string::npos) << again.body;
}

TEST_F(ApiSources, SourceWithoutLengthStreamsChunked) {
  auto r = client_.post(
      "/v1/images", "",
      with(kFormats, {{"x-image-meta-location", source_->url("/nolength/image.raw")}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["size"], 0);
  auto data = client_.get("/v1/images/" + r.json()["image"]["id"].get<std::string>());
  ASSERT_EQ(data.status, 200u);
  EXPECT_EQ(data.header("Transfer-Encoding").value_or(""), "chunked");
  EXPECT_EQ(data.body.size(), size_t{3 << 20});
  EXPECT_TRUE(data.body == random_bytes(3 << 20, 1));
}

TEST_F(ApiSources, CopyFromStoresTheBytesWithTheirChecksums) {
  size_t files_before = env_->stored_files();
  auto r = client_.post("/v1/images", "",
                        with(kFormats, {{"x-image-meta-name", "copied"},
                                        {"x-glance-api-copy-from", source_->url("/image.raw")}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json()["image"]["status"], "queued");
  std::string id = r.json()["image"]["id"];
  ASSERT_EQ(settle(id), "active");
  auto head = client_.head("/v1/images/" + id);
  auto expected = random_bytes(3 << 20, 1);
  EXPECT_EQ(head.header("x-image-meta-checksum").value_or(""), common::md5_hex(expected));
  EXPECT_EQ(head.header("x-image-meta-os_hash_value").value_or(""), common::sha256_hex(expected));
  EXPECT_EQ(head.header("x-image-meta-size").value_or(""), std::to_string(expected.size()));
  EXPECT_TRUE(client_.get("/v1/images/" + id).body == expected);
  EXPECT_EQ(env_->stored_files(), files_before + 1);
}

TEST_F(ApiSources, CopyFromThroughRedirectsAndOnPut) {
  auto queued = client_.post("/v1/images", "", with(kFormats, {{"x-image-meta-name", "put-copy"}}));
  std::string id = queued.json()["image"]["id"];
  auto r = client_.put("/v1/images/" + id, "",
                       {{"x-glance-api-copy-from", source_->url("/redirect/2/small.raw")}});
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(settle(id), "active");
  EXPECT_EQ(client_.get("/v1/images/" + id).body, random_bytes(1000, 2));
}

TEST_F(ApiSources, CopyFromAFailingSourceKillsTheImageAndLeavesNoData) {
  size_t files_before = env_->stored_files();
  for (const char* path : {"/nothing", "/cut/image.raw", "/status/503"}) {
    auto r = client_.post("/v1/images", "",
                          with(kFormats, {{"x-glance-api-copy-from", source_->url(path)}}));
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(settle(r.json()["image"]["id"]), "killed") << path;
  }
  EXPECT_EQ(env_->stored_files(), files_before);
}

TEST_F(ApiSources, CopyFromWithAWrongDeclaredSizeIsKilled) {
  auto r = client_.post("/v1/images", "",
                        with(kFormats, {{"x-glance-api-copy-from", source_->url("/small.raw")},
                                        {"x-image-meta-size", "5"}}));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(settle(r.json()["image"]["id"]), "killed");
}

TEST_F(ApiSources, RefusedSourcesAre400AndReserveNothing) {
  size_t before = image_count();
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"x-image-meta-location", "file:///etc/passwd"},
      {"x-glance-api-copy-from", "file:///etc/passwd"},
      {"x-glance-api-copy-from", "FILESYSTEM:///etc/passwd"},
      {"x-image-meta-location", "swift+config://ref1/glance/x"},
      {"x-glance-api-copy-from", "gopher://127.0.0.1/x"},
      {"x-glance-api-copy-from", ""},
  };
  for (const auto& [header, value] : refused) {
    auto r = client_.post("/v1/images", "", with(kFormats, {{header, value}}));
    EXPECT_EQ(r.status, 400u) << header << ": " << value << " " << r.body;
  }
  auto both =
      client_.post("/v1/images", "",
                   with(kFormats, {{"x-image-meta-location", source_->url("/small.raw")},
                                   {"x-glance-api-copy-from", source_->url("/small.raw")}}));
  EXPECT_EQ(both.status, 400u);
  EXPECT_NE(both.body.find("multiple image sources"), std::string::npos);
  auto with_body =
      client_.post("/v1/images", "data",
                   with(kFormats, {{"x-glance-api-copy-from", source_->url("/small.raw")},
                                   {"Content-Type", "application/octet-stream"}}));
  EXPECT_EQ(with_body.status, 400u);
  EXPECT_EQ(image_count(), before);
}

TEST_F(ApiSources, CredentialsInASourceAreNeverEchoed) {
  auto r = client_.post(
      "/v1/images", "",
      with(kFormats, {{"x-glance-api-copy-from", "file://user:s3cr3t@host/etc/passwd"}}));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body.find("s3cr3t"), std::string::npos) << r.body;
}

// The default policy: copy_from may not reach loopback, link-local or private addresses, by
// literal or by a name that resolves there; locations are for admins only.
class ApiSourcePolicy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    source_ = new SourceServer();
    source_->put("/small.raw", random_bytes(1000, 2));
    env_ = new ApiEnvironment(true, "", "stores = file, http\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    delete source_;
  }
  static SourceServer* source_;
  static ApiEnvironment* env_;
  HeaderList member_ = {{"X-Identity-Status", "Confirmed"},
                        {"X-Tenant-Id", "tenant-a"},
                        {"X-User-Id", "user-a"},
                        {"X-Roles", "member"}};
  HeaderList admin_ = {{"X-Identity-Status", "Confirmed"},
                       {"X-Tenant-Id", "tenant-admin"},
                       {"X-User-Id", "admin"},
                       {"X-Roles", "admin"}};
  HttpClient client_ = env_->client();
};
SourceServer* ApiSourcePolicy::source_ = nullptr;
ApiEnvironment* ApiSourcePolicy::env_ = nullptr;

TEST_F(ApiSourcePolicy, CopyFromInternalAddressesIsRefused) {
  const std::string port = std::to_string(source_->port());
  for (const std::string& url : std::vector<std::string>{
           "http://127.0.0.1:" + port + "/small.raw", "http://localhost:" + port + "/small.raw",
           "http://[::1]:" + port + "/small.raw", "http://169.254.169.254/latest/meta-data/",
           "http://10.1.2.3/x", "http://192.168.0.1/x", "http://2130706433:" + port + "/small.raw",
           "http://0x7f.1:" + port + "/small.raw"}) {
    auto r = client_.post("/v1/images", "",
                          with(with(kFormats, member_), {{"x-glance-api-copy-from", url}}));
    EXPECT_EQ(r.status, 400u) << url << " " << r.body;
  }
}

// An admin's location may name an internal host; where its server redirects to is that
// server's choice, held to copy_from's rules unless external_source_allowed_hosts lists it.
TEST_F(ApiSourcePolicy, LocationRedirectsToInternalAddressesAreRefused) {
  const std::string port = std::to_string(source_->port());
  const size_t hits_before = source_->hits("/small.raw");
  auto count = [this] {
    return client_.get("/v1/images/detail?is_public=none", admin_).json()["images"].size();
  };
  const size_t images_before = count();
  for (const std::string& path : {std::string("/redirect/0/small.raw"),
                                  std::string("/goto/http://169.254.169.254/latest/meta-data/"),
                                  "/goto/http://localhost:" + port + "/small.raw",
                                  std::string("/goto/http://10.0.0.1/image.raw")}) {
    auto r =
        client_.post("/v1/images", "",
                     with(with(kFormats, admin_), {{"x-image-meta-location", source_->url(path)}}));
    EXPECT_EQ(r.status, 400u) << path << " " << r.body;
    EXPECT_NE(r.body.find("is not allowed"), std::string::npos) << path << " " << r.body;
  }
  EXPECT_EQ(source_->hits("/small.raw"), hits_before);
  EXPECT_EQ(count(), images_before);
}

// The api keeps connections to a source alive for the next request to the same host; one
// opened for an admin's location on an internal host must not carry a member's copy_from
// there.
TEST_F(ApiSourcePolicy, CopyFromCannotReuseTheConnectionOfAnAdminsLocation) {
  auto host = loopback_host_name();
  if (!host) GTEST_SKIP() << "this machine's host name does not resolve to a loopback address";
  SourceServer named(host->second);
  named.put("/small.raw", random_bytes(1000, 2));
  const std::string url =
      "http://" + host->first + ":" + std::to_string(named.port()) + "/keepalive/small.raw";
  // The location's size is asked with a HEAD, whose connection then waits in the api's pool.
  auto location = client_.post("/v1/images", "",
                               with(with(kFormats, admin_), {{"x-image-meta-location", url}}));
  ASSERT_EQ(location.status, 201u) << location.body;
  ASSERT_EQ(named.hits("/keepalive/small.raw"), 1u);
  auto copy = client_.post("/v1/images", "",
                           with(with(kFormats, member_), {{"x-glance-api-copy-from", url}}));
  ASSERT_EQ(copy.status, 201u) << copy.body;
  EXPECT_EQ(settle(client_, copy.json()["image"]["id"], member_), "killed");
  EXPECT_EQ(named.hits("/keepalive/small.raw"), 1u) << "the copy reached an internal address";
}

TEST_F(ApiSourcePolicy, LocationsAreForAdmins) {
  auto member = client_.post(
      "/v1/images", "",
      with(with(kFormats, member_), {{"x-image-meta-location", source_->url("/small.raw")}}));
  EXPECT_EQ(member.status, 403u) << member.body;
  auto admin = client_.post(
      "/v1/images", "",
      with(with(kFormats, admin_), {{"x-image-meta-location", source_->url("/small.raw")}}));
  EXPECT_EQ(admin.status, 201u) << admin.body;
}

}  // namespace
}  // namespace glance::testing
