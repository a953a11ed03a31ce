// Clients that connect and misbehave at the transport level. Each test ends by checking that
// the daemon still serves and gave back the descriptors, threads and memory the clients held.

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

namespace glance::testing {
namespace {

// One client socket driven by hand: connect, send some bytes, read, then leave politely or
// with a reset.
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(connect_loopback(port)), connected_(fd_ >= 0) {}
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads until at least `n` bytes arrived in total or the peer closes; returns the total.
  size_t read_at_least(size_t n) {
    char buf[16384];
    while (received_ < n) {
      ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
      if (got <= 0) break;
      received_ += static_cast<size_t>(got);
    }
    return received_;
  }
  // The destructor's close then sends RST instead of FIN: the client vanished.
  void reset_on_close() {
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }

 private:
  int fd_;
  bool connected_ = false;
  size_t received_ = 0;
};

using Sockets = std::vector<std::unique_ptr<RawSocket>>;

Sockets open_sockets(int port, size_t n) {
  Sockets sockets;
  for (size_t i = 0; i < n; ++i) sockets.push_back(std::make_unique<RawSocket>(port));
  return sockets;
}

// Waits until the daemon has accepted `n` connections, so the test knows its connections
// reached the daemon before it drops them.
void wait_until_held(const Daemon& daemon, size_t n) {
  EXPECT_TRUE(eventually([&] { return accepted_connections(daemon.pid(), daemon.port()) >= n; }))
      << "the daemon did not accept the connections";
}

// Runs against glance-api and glance-registry alike (GetParam() names which).
class HostileClients : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // One request of each kind before the baseline, so lazily started pools count in it.
    auto client = env_.client();
    ASSERT_EQ(client.get("/v1/images").status, 200u);
    ASSERT_TRUE(answers_healthcheck(daemon()));
    ASSERT_EQ(HttpClient(env_.registry().daemon().port()).get("/images").status, 200u);
    baseline_ = ProcessHealth::snapshot(daemon().pid());
  }
  Daemon& daemon() { return GetParam() == "api" ? env_.api() : env_.registry().daemon(); }

  ApiEnvironment env_;
  ProcessHealth baseline_;
};

TEST_P(HostileClients, ConnectionsDroppedWithoutAByte) {
  {
    auto sockets = open_sockets(daemon().port(), 200);
    for (const auto& s : sockets) ASSERT_TRUE(s->connected());
    wait_until_held(daemon(), 200);
  }
  expect_recovered(daemon(), baseline_);
}

TEST_P(HostileClients, HalfAHeaderThenReset) {
  {
    auto sockets = open_sockets(daemon().port(), 50);
    for (const auto& s : sockets) {
      ASSERT_TRUE(s->connected());
      ASSERT_TRUE(s->send("GET /v1/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-To"));
      s->reset_on_close();
    }
    wait_until_held(daemon(), 50);
  }
  expect_recovered(daemon(), baseline_);
}

INSTANTIATE_TEST_SUITE_P(Daemons, HostileClients, ::testing::Values("api", "registry"),
                         [](const auto& info) { return info.param; });

// A client that starts downloading an image and resets the connection after 64 KiB, while
// the api still has megabytes to write to it.
TEST(HostileDownloads, ResetAfterTheFirst64KiB) {
  // glance-api used to die of SIGPIPE here (exit status 141) within a dozen resets.
  ApiEnvironment env;
  auto client = env.client();
  const std::string data = random_bytes(8 << 20, 11);
  auto created = client.post("/v1/images", data,
                             {{"Content-Type", "application/octet-stream"},
                              {"x-image-meta-name", "big"},
                              {"x-image-meta-disk_format", "raw"},
                              {"x-image-meta-container_format", "bare"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  ASSERT_EQ(client.get("/v1/images/" + id).body.size(), data.size());
  auto baseline = ProcessHealth::snapshot(env.api().pid());

  for (int i = 0; i < 20; ++i) {
    RawSocket s(env.api().port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(s.send("GET /v1/images/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    if (s.read_at_least(64 << 10) < size_t{64} << 10) {
      ADD_FAILURE() << "download " << i << " ended before 64 KiB";
      break;
    }
    s.reset_on_close();
  }

  const std::string md5 = common::md5_hex(data);
  expect_recovered(env.api(), baseline, [&](const Daemon&) {
    try {
      auto r = client.get("/v1/images/" + id);
      return r.status == 200u && common::md5_hex(r.body) == md5;
    } catch (const std::exception&) {
      return false;
    }
  });
}

}  // namespace
}  // namespace glance::testing
