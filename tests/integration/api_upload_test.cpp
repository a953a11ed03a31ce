// glance-api uploads that fail, and the registry going away: the image ends killed and no
// data stays behind.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

namespace glance::testing {
namespace {

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

// A plain socket for conversations HttpClient cannot have (pauses, hang-ups).
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("connect failed");
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawSocket() { close(); }
  void send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      done += static_cast<size_t>(n);
    }
  }
  // Reads until `marker` has arrived (or the peer closes / times out).
  std::string read_until(const std::string& marker) {
    std::string out;
    char buf[4096];
    size_t searched = 0;  // where the next search starts: only new bytes can complete it
    while (out.find(marker, searched) == std::string::npos) {
      searched = out.size() >= marker.size() ? out.size() - marker.size() + 1 : 0;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads until the peer closes (or times out).
  std::string read_all() { return read_until(std::string(1, '\0') + "never"); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

class ApiUploads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new ApiEnvironment(false, "image_size_cap = 100000\n"); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  HttpClient c_ = env_->client();
  static ApiEnvironment* env_;

  std::string status_of(const std::string& id) {
    return c_.head("/v1/images/" + id).header("x-image-meta-status").value_or("?");
  }
  std::string queued_image() {
    auto r = c_.post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", "q"}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"];
  }
};
ApiEnvironment* ApiUploads::env_ = nullptr;

TEST_F(ApiUploads, SizeMismatchKillsTheImageAndLeavesNoFile) {
  std::string id = queued_image();
  auto r = c_.put("/v1/images/" + id, "12345", with(kRawBare, {{"x-image-meta-size", "6"}}));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("Supplied size (6) and size generated from uploaded image (5)"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(status_of(id), "killed");
  EXPECT_EQ(env_->stored_files(), 0u);
  EXPECT_EQ(c_.put("/v1/images/" + id, "12345", kRawBare).status, 409u);  // killed for good
}

TEST_F(ApiUploads, ChecksumMismatchKillsTheImageAndLeavesNoFile) {
  auto r = c_.post("/v1/images", "12345",
                   with(kRawBare, {{"x-image-meta-checksum", "00000000000000000000000000000000"}}));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("Supplied checksum"), std::string::npos) << r.body;
  EXPECT_EQ(env_->stored_files(), 0u);
  auto killed = c_.get("/v1/images/detail?changes-since=2000-01-01T00:00:00&is_public=none");
  bool found = false;
  for (const auto& img : json_field(killed, "images"))
    found |= img["status"] == "killed" && img["checksum"] == "00000000000000000000000000000000";
  EXPECT_TRUE(found) << killed.status << " " << killed.body;
}

TEST_F(ApiUploads, SizeCapIs400WhenDeclaredAnd413WhileStreaming) {
  std::string big(100001, 'x');
  auto declared = c_.post("/v1/images", big, kRawBare);
  EXPECT_EQ(declared.status, 400u);
  EXPECT_NE(declared.body.find("Denying attempt to upload image larger than 100000 bytes."),
            std::string::npos);
  std::string id = queued_image();
  auto streamed = c_.request("PUT", "/v1/images/" + id, kRawBare, big, true);
  EXPECT_EQ(streamed.status, 413u);
  EXPECT_EQ(status_of(id), "killed");
  EXPECT_EQ(env_->stored_files(), 0u);
}

TEST_F(ApiUploads, WrongContentTypeKillsTheImage) {
  std::string id = queued_image();
  auto r = c_.put("/v1/images/" + id, "data", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("Content-Type must be application/octet-stream"), std::string::npos);
  EXPECT_EQ(status_of(id), "killed");
}

TEST_F(ApiUploads, ClientGoneMidUploadKillsTheImageAndLeavesNoFile) {
  std::string id = queued_image();
  {
    RawSocket s(env_->api().port());
    s.send("PUT /v1/images/" + id +
           " HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: application/octet-stream\r\nContent-Length: 90000\r\n\r\n" +
           std::string(30000, 'p'));
    ASSERT_TRUE(eventually([&] { return status_of(id) == "saving"; }));
  }
  EXPECT_TRUE(eventually([&] { return status_of(id) == "killed"; })) << status_of(id);
  EXPECT_EQ(env_->stored_files(), 0u);
}

TEST_F(ApiUploads, ExpectContinueGetsTheInterimAnswerFirst) {
  std::string id = queued_image();
  RawSocket s(env_->api().port());
  s.send("PUT /v1/images/" + id +
         " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
         "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\n");
  auto interim = s.read_until("\r\n\r\n");
  EXPECT_EQ(interim.substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  s.send("hello");
  auto final_answer = s.read_until("}}");
  EXPECT_NE(final_answer.find("HTTP/1.1 200"), std::string::npos) << final_answer;
  EXPECT_EQ(status_of(id), "active");
}

TEST_F(ApiUploads, RegistryDownIs503QuicklyThenRecovers) {
  ASSERT_EQ(c_.get("/v1/images").status, 200u);
  env_->stop_registry();
  auto started = std::chrono::steady_clock::now();
  auto down = c_.get("/v1/images");
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_NE(down.body.find("registry"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(c_.head("/v1/images/00000000-0000-0000-0000-000000000000").status, 503u);
  env_->start_registry_again();
  EXPECT_EQ(c_.get("/v1/images").status, 200u);
  EXPECT_EQ(c_.post("/v1/images", "", {{"x-image-meta-name", "after"}}).status, 201u);
}

}  // namespace
}  // namespace glance::testing

namespace glance::testing {
namespace {

TEST(ApiShutdown, DownloadInFlightFinishesAfterSigterm) {
  ApiEnvironment env;
  HttpClient c = env.client();
  std::string data(24 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 2654435761u >> 24);
  auto created =
      c.post("/v1/images", data, with(kRawBare, {{"Content-Type", "application/octet-stream"}}));
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  RawSocket reader(env.api().port());
  reader.send("GET /v1/images/" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  // Take the header only: the body fills the socket buffers and the send waits on us.
  std::string received = reader.read_until("\r\n\r\n");
  env.api().signal(SIGTERM);
  received += reader.read_all();
  auto body_at = received.find("\r\n\r\n") + 4;
  EXPECT_EQ(received.size() - body_at, data.size());
  EXPECT_TRUE(received.compare(body_at, std::string::npos, data) == 0);
  EXPECT_EQ(env.api().wait_exit(std::chrono::seconds(30)), 0);
}

TEST(ApiShutdown, UploadCutByTheGracePeriodEndsKilledWithNoFileLeft) {
  ApiEnvironment env(false, "graceful_shutdown_timeout = 1\n");
  HttpClient c = env.client();
  auto created = c.post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", "cut"}}));
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  auto status = [&] {
    auto r = HttpClient(env.registry().daemon().port()).get("/images/" + id);
    return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
  };
  RawSocket slow(env.api().port());
  slow.send("PUT /v1/images/" + id +
            " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: 90000\r\n\r\n" +
            std::string(30000, 'p'));
  ASSERT_TRUE(eventually([&] { return status() == "saving"; }));
  env.api().signal(SIGTERM);
  // The client never sends the rest: the drain waits one second, then cuts it.
  EXPECT_EQ(env.api().wait_exit(std::chrono::seconds(30)), 0) << env.api().log();
  EXPECT_EQ(status(), "killed");
  EXPECT_EQ(env.stored_files(), 0u);
  EXPECT_NE(env.api().log().find("grace period over"), std::string::npos);
}

}  // namespace
}  // namespace glance::testing

namespace glance::testing {
namespace {

TEST(ApiHealth, DetailedModeReportsRegistryAndDatabase) {
  ApiEnvironment env(true);  // keystone flavor: the detailed check still needs no credentials
  HttpClient c = env.client();
  auto healthy = c.get("/healthcheck/detailed");
  ASSERT_EQ(healthy.status, 200u) << healthy.body;
  EXPECT_EQ(healthy.json(),
            nlohmann::json({{"api", "OK"}, {"registry", "OK"}, {"database", "OK"}}));
  EXPECT_EQ(c.get("/healthcheck").status, 200u);

  MariadbServer::instance().stop();
  auto no_database = c.get("/healthcheck/detailed");
  EXPECT_EQ(no_database.status, 503u);
  EXPECT_EQ(no_database.json()["registry"], "OK");
  EXPECT_NE(no_database.json()["database"], "OK");
  MariadbServer::instance().start();
  // The registry reuses its database answer for up to a second (registry/node_health.h).
  EXPECT_TRUE(eventually([&] { return c.get("/healthcheck/detailed").status == 200; }));

  env.stop_registry();
  auto no_registry = c.get("/healthcheck/detailed");
  EXPECT_EQ(no_registry.status, 503u);
  EXPECT_NE(no_registry.json()["registry"], "OK");
  EXPECT_EQ(no_registry.json()["database"], "unknown");
  env.start_registry_again();
  EXPECT_EQ(c.get("/healthcheck/detailed").status, 200u);
}

}  // namespace
}  // namespace glance::testing

namespace glance::testing {
namespace {

TEST(ApiQuota, UserStorageQuotaBoundsWhatAnOwnerStores) {
  ApiEnvironment env(true, "user_storage_quota = 1000B\n");
  auto as_q1 = with(identity("q1"), {{"Content-Type", "application/octet-stream"}});
  HttpClient c = env.client(with(kRawBare, as_q1));
  ASSERT_EQ(c.post("/v1/images", std::string(600, 'a')).status, 201u);

  auto declared = c.post("/v1/images", std::string(500, 'b'), {{"x-image-meta-size", "500"}});
  EXPECT_EQ(declared.status, 413u) << declared.body;
  EXPECT_NE(declared.body.find("exceeds the quota"), std::string::npos) << declared.body;

  auto streamed = c.request("POST", "/v1/images", {}, std::string(500, 'c'), /*chunked=*/true);
  EXPECT_EQ(streamed.status, 413u) << streamed.body;

  // Killed images do not count: exactly the remaining 400 bytes still fit.
  EXPECT_EQ(c.post("/v1/images", std::string(400, 'd')).status, 201u);
  EXPECT_EQ(c.post("/v1/images", std::string(1, 'e')).status, 413u);
  EXPECT_EQ(env.stored_files(), 2u);
  // Another owner has its own quota.
  HttpClient other = env.client(
      with(kRawBare, with(identity("q2"), {{"Content-Type", "application/octet-stream"}})));
  EXPECT_EQ(other.post("/v1/images", std::string(1000, 'f')).status, 201u);
}

}  // namespace
}  // namespace glance::testing
