// glance-api under load it must refuse or absorb: uploads and copies past their caps get 503
// with Retry-After and leave nothing behind; hundreds of idle uploads cost no threads; uploads
// reset mid-body give back every descriptor and temporary file.
//
// The polling and /proc counting below is local to this file for now; it is small on purpose.

#include "tests/support/api_fixture.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

bool eventually(const std::function<bool()>& condition,
                std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

// What the descriptors of a process point at, for failure messages.
std::string fd_targets(const fs::path& proc) {
  std::string out;
  std::error_code ec;
  for (fs::directory_iterator it(proc / "fd", ec), end; !ec && it != end; it.increment(ec))
    out += it->path().filename().string() + "->" + fs::read_symlink(it->path(), ec).string() + " ";
  return out;
}

// The descriptors of a process other than its connections to `peer_port`: the registry
// client keeps a pool of idle keep-alive connections whose size follows the peak number of
// concurrent registry calls, which is reuse, not a leak.
size_t descriptors_except_connections_to(const fs::path& proc, int peer_port) {
  std::set<std::string> pooled;
  std::ifstream tcp(proc / "net" / "tcp");
  std::string line;
  std::getline(tcp, line);  // the column names
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    if (std::stoi(remote.substr(remote.find(':') + 1), nullptr, 16) == peer_port)
      pooled.insert("socket:[" + inode + "]");
  }
  size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(proc / "fd", ec), end; !ec && it != end; it.increment(ec))
    n += pooled.count(fs::read_symlink(it->path(), ec).string()) == 0 ? 1 : 0;
  return n;
}

// The daemon's process: the one whose command line names its config file.
fs::path proc_of(const Daemon& daemon) {
  for (const auto& p : fs::directory_iterator("/proc")) {
    std::ifstream in(p.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(daemon.config_path()) != std::string::npos &&
        cmdline.find("glance-api") != std::string::npos)
      return p.path();
  }
  throw std::runtime_error("glance-api process not found");
}

// A client socket that sends what it is told and can hang up with a reset.
class Conn {
 public:
  explicit Conn(int port) : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("connect failed");
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(Conn&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  void send(const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      done += static_cast<size_t>(n);
    }
  }
  void reset() {
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
};

// Starts an upload of a new image that announces `length` bytes and sends only `sent`.
Conn start_upload(int port, size_t length, size_t sent) {
  Conn c(port);
  c.send(
      "POST /v1/images HTTP/1.1\r\nHost: x\r\nx-image-meta-disk_format: raw\r\n"
      "x-image-meta-container_format: bare\r\nContent-Type: application/octet-stream\r\n"
      "Content-Length: " +
      std::to_string(length) + "\r\n\r\n" + std::string(sent, 'i'));
  return c;
}

// Every image the registry holds, whatever its status.
std::vector<std::string> statuses(const HttpClient& c) {
  auto r = c.get("/v1/images/detail?changes-since=2000-01-01T00:00:00&is_public=none&limit=1000");
  std::vector<std::string> out;
  for (const auto& img : json_field(r, "images")) out.push_back(img["status"]);
  return out;
}

void expect_refused(const HttpResponse& r) {
  EXPECT_EQ(r.status, 503u) << r.body;
  EXPECT_EQ(r.header("Retry-After").value_or(""), "5");
  EXPECT_NE(r.body.find("503 Service Unavailable"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Too many concurrent"), std::string::npos) << r.body;
}

TEST(ApiLimits, UploadsPastTheCapAre503WithRetryAfterAndReserveNothing) {
  ApiEnvironment env(false, "max_concurrent_uploads = 2\n");
  HttpClient c = env.client();
  auto queued = c.post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", "q"}}));
  ASSERT_EQ(queued.status, 201u);
  std::string queued_id = queued.json()["image"]["id"];
  std::vector<Conn> holders;
  for (int i = 0; i < 2; ++i) holders.push_back(start_upload(env.api().port(), 1 << 20, 10));
  ASSERT_TRUE(eventually([&] { return entries(env.datadir()) == 2; }));
  const size_t images_before = statuses(c).size();

  expect_refused(c.post("/v1/images", "data", kRawBare));
  expect_refused(c.put("/v1/images/" + queued_id, "data", kRawBare));
  EXPECT_EQ(statuses(c).size(), images_before);
  EXPECT_EQ(c.head("/v1/images/" + queued_id).header("x-image-meta-status"), "queued");
  EXPECT_EQ(entries(env.datadir()), 2u);
  // Requests without data are not uploads.
  EXPECT_EQ(c.post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", "meta"}})).status, 201u);

  holders.clear();
  EXPECT_TRUE(eventually(
      [&] { return c.put("/v1/images/" + queued_id, "data", kRawBare).status == 200u; }));
  EXPECT_EQ(c.get("/v1/images/" + queued_id).body, "data");
}

TEST(ApiLimits, CopiesPastTheCapAre503WithRetryAfterAndCreateNoImage) {
  // A source that accepts connections and never answers keeps a copy running.
  int silent_port = 0;
  int silent = listen_ephemeral("127.0.0.1", &silent_port);
  ASSERT_GE(silent, 0);
  const std::string source = "http://127.0.0.1:" + std::to_string(silent_port) + "/image.raw";

  ApiEnvironment env(false,
                     "max_concurrent_copies = 1\nexternal_source_allowed_hosts = 127.0.0.1\n",
                     "stores = file, http\n");
  HttpClient c = env.client();
  HeaderList copy = with(kRawBare, {{"x-glance-api-copy-from", source}});
  auto first = c.post("/v1/images", "", copy);
  ASSERT_EQ(first.status, 201u) << first.body;
  int held = ::accept(silent, nullptr, nullptr);
  ASSERT_GE(held, 0);
  const size_t images_before = statuses(c).size();
  expect_refused(c.post("/v1/images", "", copy));
  EXPECT_EQ(statuses(c).size(), images_before);

  ::close(held);  // the running copy fails, its slot comes free
  std::string first_id = first.json()["image"]["id"];
  EXPECT_TRUE(eventually(
      [&] { return c.head("/v1/images/" + first_id).header("x-image-meta-status") == "killed"; }));
  EXPECT_TRUE(eventually([&] { return c.post("/v1/images", "", copy).status == 201u; }));
  ::close(silent);
}

TEST(ApiLimits, HundredsOfIdleUploadsCostNoThreadsAndOthersStillTransfer) {
  ApiEnvironment env(false, "max_concurrent_uploads = 1000\nstore_worker_threads = 4\n");
  HttpClient c = env.client();
  const fs::path proc = proc_of(env.api());
  const std::string warmup = random_bytes(3 << 20, 1);
  ASSERT_EQ(c.post("/v1/images", warmup, kRawBare).status, 201u);
  const size_t threads_before = entries(proc / "task");

  constexpr size_t kIdle = 200;
  std::vector<Conn> idle;
  for (size_t i = 0; i < kIdle; ++i) idle.push_back(start_upload(env.api().port(), 1 << 30, 5));
  ASSERT_TRUE(eventually([&] { return entries(env.datadir()) == kIdle + 1; }))
      << entries(env.datadir());
  EXPECT_LE(entries(proc / "task"), threads_before) << "threads grew with idle uploads";

  const std::string data = random_bytes((5 << 20) + 3, 2);
  auto up = c.post("/v1/images", data, kRawBare);
  ASSERT_EQ(up.status, 201u) << up.body;
  std::string id = up.json()["image"]["id"];
  EXPECT_EQ(up.json()["image"]["status"], "active");
  EXPECT_TRUE(c.get("/v1/images/" + id).body == data);
  EXPECT_LE(entries(proc / "task"), threads_before);

  idle.clear();
  EXPECT_TRUE(eventually([&] { return entries(env.datadir()) == 2; })) << entries(env.datadir());
}

// Starts `n` uploads at once, waits until each has its temporary file, then resets them all;
// returns once their images are killed and their files gone.
void reset_uploads_mid_body(ApiEnvironment& env, const HttpClient& c, int n) {
  const size_t files_before = entries(env.datadir());
  auto killed = [&] {
    auto s = statuses(c);
    return std::count(s.begin(), s.end(), "killed");
  };
  const auto killed_before = killed();
  std::vector<Conn> uploads;
  for (int i = 0; i < n; ++i)
    uploads.push_back(start_upload(env.api().port(), 8 << 20, (1 << 20) + 12345));
  ASSERT_TRUE(eventually([&] { return entries(env.datadir()) == files_before + n; }))
      << entries(env.datadir());
  for (auto& u : uploads) u.reset();
  EXPECT_TRUE(eventually([&] { return entries(env.datadir()) == files_before; }))
      << entries(env.datadir());
  EXPECT_TRUE(eventually([&] { return killed() == killed_before + n; })) << killed();
}

TEST(ApiLimits, UploadsResetMidBodyGiveBackDescriptorsThreadsAndTemporaryFiles) {
  ApiEnvironment env;
  HttpClient c = env.client();
  const fs::path proc = proc_of(env.api());
  ASSERT_EQ(c.post("/v1/images", random_bytes(2 << 20, 3), kRawBare).status, 201u);
  const int registry_port = env.registry().daemon().port();
  auto fds = [&] { return descriptors_except_connections_to(proc, registry_port); };
  const size_t fds_before = fds();
  const std::string fds_before_text = fd_targets(proc);
  const size_t threads_before = entries(proc / "task");

  for (int round = 0; round < 2; ++round) {
    reset_uploads_mid_body(env, c, 20);
    EXPECT_TRUE(eventually([&] { return fds() <= fds_before; }))
        << "before: " << fds_before_text << "\nafter: " << fd_targets(proc);
    EXPECT_LE(entries(proc / "task"), threads_before);
  }
  // The pool keeps at most 64 idle connections.
  EXPECT_LE(entries(proc / "fd"), fds_before + 64);
  auto s = statuses(c);
  EXPECT_EQ(std::count(s.begin(), s.end(), "active"), 1);
  EXPECT_EQ(entries(env.datadir()), 1u);
  // Still serving.
  EXPECT_EQ(c.post("/v1/images", "after", kRawBare).status, 201u);
}

}  // namespace
}  // namespace glance::testing
