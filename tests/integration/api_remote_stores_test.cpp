// glance-api with its image data in Swift and in S3 (Swift's s3api), against the real
// all-in-one the test harness starts: what the file store did works the same, and a failed
// upload leaves no object, segment or multipart part behind.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/raw_connection.h"
#include "tests/support/swift_cluster.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <set>

namespace glance::testing {
namespace {

// Both stores write into the cluster's AUTH_test account: Swift into container() (segments
// beside the manifest), S3 into bucket() (s3api keeps multipart parts in "<bucket>+segments").
// ctest runs tests in parallel processes, so the names are per process.
std::string container() {
  return "glance-api-test-" + std::to_string(::getpid());
}
std::string bucket() {
  return "glance-api-test-s3-" + std::to_string(::getpid());
}

std::string store_options() {
  const auto& c = swift_cluster();
  return "stores = file, swift, s3\n"
         "swift_store_auth_address = " +
         c.auth_url +
         "\n"
         "swift_store_auth_version = 1\n"
         "swift_store_user = " +
         c.user +
         "\n"
         "swift_store_key = " +
         c.key +
         "\n"
         "swift_store_container = " +
         container() +
         "\n"
         "swift_store_create_container_on_put = True\n"
         // Small thresholds, in upstream's units, so a few MiB take the segmented paths.
         "swift_store_large_object_size = 2\n"
         "swift_store_large_object_chunk_size = 1\n"
         "s3_store_host = " +
         c.s3_endpoint +
         "\n"
         "s3_store_access_key = " +
         c.s3_access_key +
         "\n"
         "s3_store_secret_key = " +
         c.s3_secret_key +
         "\n"
         "s3_store_bucket = " +
         bucket() +
         "\n"
         "s3_store_create_bucket_on_put = True\n"
         "s3_store_bucket_url_format = path\n"
         "s3_store_large_object_size = 6\n"
         "s3_store_large_object_chunk_size = 5\n";
}

class ApiRemoteStores : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(false, "", store_options()); }
  static void TearDownTestSuite() { delete env_; }

  // Objects in the store's container (and its segments container), by the Swift API.
  std::vector<std::string> object_names() const {
    std::vector<std::string> names;
    const std::string base = GetParam() == "swift" ? container() : bucket();
    for (const std::string& container : {base, base + "+segments"})
      for (const auto& name : swift_object_names(container))
        names.push_back(container + "/" + name);
    return names;
  }
  size_t objects() const { return object_names().size(); }
  std::string listing() const {
    std::string out;
    for (const auto& n : object_names()) out += n + "\n";
    return out;
  }
  HttpResponse upload(const std::string& data, HeaderList extra = {}, bool chunked = false) {
    extra.insert(extra.end(), {{"x-image-meta-name", "remote"},
                               {"x-image-meta-disk_format", "raw"},
                               {"x-image-meta-container_format", "bare"},
                               {"x-image-meta-store", GetParam()},
                               {"Content-Type", "application/octet-stream"}});
    return client_.request("POST", "/v1/images", extra, data, chunked);
  }

  static ApiEnvironment* env_;
  HttpClient client_ = env_->client();
};
ApiEnvironment* ApiRemoteStores::env_ = nullptr;

TEST_P(ApiRemoteStores, UploadDownloadRangeDelete) {
  for (bool chunked : {false, true}) {
    auto data = random_bytes(12 << 20, chunked ? 2 : 1);
    size_t before = objects();
    auto r = upload(data, {}, chunked);
    ASSERT_EQ(r.status, 201u) << r.body;
    auto image = r.json()["image"];
    EXPECT_EQ(image["status"], "active");
    EXPECT_EQ(image["checksum"], common::md5_hex(data));
    EXPECT_EQ(image["size"], data.size());
    std::string id = image["id"];
    EXPECT_GT(objects(), before);
    auto back = client_.get("/v1/images/" + id);
    ASSERT_EQ(back.status, 200u);
    EXPECT_TRUE(back.body == data) << "chunked=" << chunked;
    // Across the 1,024,000-byte Swift segments and the 5 MiB S3 parts.
    auto part = client_.get("/v1/images/" + id, {{"Range", "bytes=5242870-5242889"}});
    ASSERT_EQ(part.status, 206u);
    EXPECT_EQ(part.body, data.substr(5242870, 20));
    EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
    EXPECT_EQ(objects(), before) << "chunked=" << chunked;
  }
}

TEST_P(ApiRemoteStores, SmallImageWithDeclaredSize) {
  auto data = random_bytes(1000, 3);
  auto r = upload(data);
  ASSERT_EQ(r.status, 201u) << r.body;
  std::string id = r.json()["image"]["id"];
  EXPECT_EQ(client_.get("/v1/images/" + id).body, data);
  EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
}

TEST_P(ApiRemoteStores, ChecksumMismatchKillsAndLeavesNothing) {
  size_t before = objects();
  auto r = upload(random_bytes(7 << 20, 4), {{"x-image-meta-checksum", std::string(32, 'a')}});
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(objects(), before);
}

TEST_P(ApiRemoteStores, ClientGoneMidUploadLeavesNoSegmentsOrParts) {
  size_t before = objects();
  // Announce 12 MiB, send 7 and hang up: the api sees the body end early.
  auto bytes = random_bytes(7 << 20, 5);
  std::string head =
      "POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
      "x-image-meta-name: cut\r\nx-image-meta-disk_format: raw\r\n"
      "x-image-meta-container_format: bare\r\nx-image-meta-store: " +
      GetParam() + "\r\nContent-Length: " + std::to_string(12 << 20) + "\r\n\r\n";
  client_.raw_then_close(head + bytes);
  auto cut_images = [&] {
    return client_
        .get("/v1/images/detail?changes-since=2000-01-01T00:00:00&is_public=none&name=cut")
        .json()["images"];
  };
  // The upload must have ended before the store is looked at: right after the hang-up the api
  // may not have written its first segment yet, and "no objects" would hold by accident.
  nlohmann::json list;
  eventually([&] {
    list = cut_images();
    return !list.empty() && list[0]["status"] == "killed";
  });
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0]["status"], "killed");
  eventually([&] { return objects() == before; });
  EXPECT_EQ(objects(), before) << listing();
}

// The status line of the next answer on `c`.
std::string status_line(RawConnection& c) {
  std::string got;
  eventually(
      [&] {
        got += c.read(1 << 16, std::chrono::milliseconds(100));
        return got.find("\r\n") != std::string::npos;
      },
      std::chrono::seconds(60));
  return got.substr(0, got.find("\r\n"));
}

// The upload tags ("<id>-<tag>-<segment>") of the segments of image `id` in `names`.
std::set<std::string> segment_tags(const std::vector<std::string>& names, const std::string& id) {
  std::set<std::string> tags;
  for (const auto& name : names) {
    auto at = name.find("/" + id + "-");
    if (at == std::string::npos) continue;
    std::string rest = name.substr(at + id.size() + 2);
    if (rest.size() > 13 && rest[12] == '-') tags.insert(rest.substr(0, 12));
  }
  return tags;
}

// Two clients upload different data to one image at once. Both stream into the store under
// names of their own; the registry activates the first to finish, the other is answered 409
// and removes what it stored, and the winner's data is intact.
TEST_P(ApiRemoteStores, RacingUploadsKeepTheWinnersDataAndLeaveNothingOfTheLoser) {
  if (GetParam() != "swift")
    GTEST_SKIP() << "S3 shows nothing of an upload before it ends; s3_store_test races the store";
  auto created = client_.post("/v1/images", "",
                              {{"x-image-meta-name", "raced"},
                               {"x-image-meta-disk_format", "raw"},
                               {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  const size_t before = objects();
  // Three segments of 1,024,000 bytes each.
  const std::string winner = random_bytes(3000000, 41);
  const std::string loser = random_bytes(3000000, 42);
  const std::string head = "PUT /v1/images/" + id +
                           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                           "x-image-meta-store: swift\r\nContent-Length: 3000000\r\n\r\n";
  const size_t half = 1500000;
  RawConnection a(env_->api().port());
  RawConnection b(env_->api().port());
  ASSERT_TRUE(a.send(head + winner.substr(0, half)));
  ASSERT_TRUE(b.send(head + loser.substr(0, half)));
  // Both have a segment in Swift: both began before either can finish.
  EXPECT_TRUE(eventually([&] { return segment_tags(object_names(), id).size() == 2; }))
      << listing();
  ASSERT_TRUE(a.send(winner.substr(half)));
  EXPECT_EQ(status_line(a), "HTTP/1.1 200 OK");
  // The loser's last segment and manifest go up after the winner's manifest.
  ASSERT_TRUE(b.send(loser.substr(half)));
  EXPECT_EQ(status_line(b), "HTTP/1.1 409 Conflict");

  auto back = client_.get("/v1/images/" + id);
  ASSERT_EQ(back.status, 200u);
  EXPECT_TRUE(back.body == winner);
  EXPECT_EQ(back.header("x-image-meta-checksum").value_or(""), common::md5_hex(winner));
  EXPECT_EQ(back.header("x-image-meta-status").value_or(""), "active");
  // The winner's manifest and three segments, all of one upload.
  auto names = object_names();
  EXPECT_EQ(names.size(), before + 4) << listing();
  EXPECT_EQ(segment_tags(names, id).size(), 1u) << listing();
  EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
  EXPECT_EQ(objects(), before) << listing();
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiRemoteStores, ::testing::Values("swift", "s3"),
                         [](const auto& info) { return info.param; });

// glance-api is killed with SIGKILL while it streams an upload into the store: its segments (or
// S3 multipart upload and part) stay behind, the image stays saving. A restarted glance-api's
// reaper kills the image and removes every object of its uploads.
TEST_P(ApiRemoteStores, KilledApiMidUploadLeavesNoObjectsOnceTheReaperRan) {
  ApiEnvironment env(false, "upload_orphan_timeout = 2\n",
                     store_options() + "default_store = " + GetParam() + "\n");
  auto created = env.client().post("/v1/images", "",
                                   {{"x-image-meta-name", "orphan"},
                                    {"x-image-meta-disk_format", "raw"},
                                    {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  auto of_image = [&] {
    size_t n = 0;
    for (const auto& name : object_names()) n += name.find("/" + id + "-") != std::string::npos;
    return n;
  };
  auto status = [&] {
    auto r = HttpClient(env.registry().daemon().port()).get("/images/" + id);
    return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
  };
  {
    // 6 MiB of 12: two Swift segments, or the first 5 MiB part of an S3 multipart upload
    // (with its upload marker).
    RawConnection upload(env.api().port());
    ASSERT_TRUE(upload.send("PUT /v1/images/" + id +
                            " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Length: 12582912\r\n\r\n" +
                            random_bytes(6 << 20, 43)));
    EXPECT_TRUE(eventually([&] { return of_image() >= 2; })) << listing();
    EXPECT_EQ(status(), "saving");
    env.api().signal(SIGKILL);
    ASSERT_EQ(env.api().wait_exit(std::chrono::seconds(20)), 128 + SIGKILL);
  }
  EXPECT_GE(of_image(), 2u) << listing();  // what the dead process left
  std::ifstream config_file(env.api().config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)),
                           std::istreambuf_iterator<char>());
  Daemon restarted(api_binary(), config);
  restarted.start();
  EXPECT_TRUE(eventually([&] { return status() == "killed"; })) << status() << restarted.log();
  EXPECT_TRUE(eventually([&] { return of_image() == 0; })) << listing() << restarted.log();
  EXPECT_EQ(HttpClient(restarted.port()).get("/v1/images").status, 200u);
}

// An object store URI without credentials would be read with the store's own account, which
// holds every tenant's images: a client may not name one, admin or not.
TEST(ApiObjectStoreSources, AnotherTenantsImageCannotBeCopiedWithTheStoresCredentials) {
  // The cluster is on loopback, which copy_from refuses unless allowed; an S3 service on a
  // public name needs no such line.
  ApiEnvironment env(true, "external_source_allowed_hosts = 127.0.0.1\n", store_options());
  auto client = env.client();
  auto tenant = [](const std::string& name, const std::string& role) {
    return HeaderList{{"X-Identity-Status", "Confirmed"},
                      {"X-Tenant-Id", name},
                      {"X-User-Id", "user-" + name},
                      {"X-Roles", role}};
  };
  const HeaderList formats = {{"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"}};
  auto owner = tenant("tenant-a", "member");
  auto data = random_bytes(100000, 9);
  HeaderList upload = owner;
  upload.insert(upload.end(), formats.begin(), formats.end());
  upload.insert(upload.end(), {{"x-image-meta-name", "private"},
                               {"x-image-meta-store", "s3"},
                               {"Content-Type", "application/octet-stream"}});
  auto stored = client.post("/v1/images", data, upload);
  ASSERT_EQ(stored.status, 201u) << stored.body;
  const std::string id = stored.json()["image"]["id"];
  std::string key;
  for (const auto& k : swift_object_names(bucket()))
    if (k.starts_with(id)) key = k;
  ASSERT_FALSE(key.empty());
  const size_t keys_before = swift_object_names(bucket()).size();

  const std::string s3_host = swift_cluster().s3_endpoint.substr(std::string("http://").size());
  const std::string auth = swift_cluster().auth_url.substr(std::string("http://").size());
  for (const auto& caller : {tenant("tenant-b", "member"), tenant("tenant-c", "admin")}) {
    for (const std::string& header : {"x-glance-api-copy-from", "x-image-meta-location"}) {
      for (const std::string& uri : {"s3://" + s3_host + "/" + bucket() + "/" + key,
                                     "s3+http://" + s3_host + "/" + bucket() + "/" + key,
                                     "swift+http://" + auth + "/" + bucket() + "/" + key}) {
        HeaderList copy = caller;
        copy.insert(copy.end(), formats.begin(), formats.end());
        copy.emplace_back(header, uri);
        auto r = client.post("/v1/images", "", copy);
        // Locations are for admins: a member's is refused before its URI is read.
        const bool forbidden = header == "x-image-meta-location" && caller[3].second != "admin";
        EXPECT_EQ(r.status, forbidden ? 403u : 400u) << header << " " << uri << " " << r.body;
        if (!forbidden)
          EXPECT_NE(r.body.find("carries no credentials of its own"), std::string::npos) << r.body;
      }
    }
    auto listed = client.get("/v1/images/detail?is_public=none", caller);
    ASSERT_EQ(listed.status, 200u);
    for (const auto& image : json_field(listed, "images")) EXPECT_EQ(image["id"], id);
  }
  EXPECT_EQ(swift_object_names(bucket()).size(), keys_before);
  // The owner's image is unharmed.
  EXPECT_TRUE(client.get("/v1/images/" + id, owner).body == data);
}

// A store whose server is gone answers 503 and kills the image.
TEST(ApiUnreachableStore, UploadIs503AndKills) {
  ApiEnvironment env(false, "",
                     "stores = file, swift\ndefault_store = swift\n"
                     "swift_store_auth_address = http://127.0.0.1:1/auth/v1.0\n"
                     "swift_store_auth_version = 1\n"
                     "swift_store_user = test:tester\nswift_store_key = testing\n");
  auto client = env.client();
  auto r = client.post("/v1/images", "data",
                       {{"x-image-meta-name", "nowhere"},
                        {"x-image-meta-disk_format", "raw"},
                        {"x-image-meta-container_format", "bare"},
                        {"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(r.status, 503u) << r.body;
  // Killed images are listed only with changes-since, as upstream lists them.
  auto list =
      client.get("/v1/images/detail?changes-since=2000-01-01T00:00:00&is_public=none&name=nowhere")
          .json()["images"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "killed");
}

}  // namespace
}  // namespace glance::testing
