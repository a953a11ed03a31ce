// glance-registry as operators run it: signals (drain, reload, log rotation), readiness
// notification, glance-manage db purge, the installed tree and its systemd units.

#include "tests/support/eventually.h"
#include "tests/support/registry_fixture.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace glance::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A client connection driven byte by byte, to hold a request half sent.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `until` appears in what arrived, the peer closes, or the timeout passes.
  std::string read_until(const std::string& until, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!contains(received_, until)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

// Sends the header of a POST /images and waits for 100 Continue: the registry has then
// read the header and counts the request as in flight. Returns the body still to send.
std::string begin_slow_create(RawConnection& conn, const std::string& name) {
  std::string body = json{{"image", {{"name", name}}}}.dump();
  conn.send(
      "POST /images HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_TRUE(contains(conn.read_until("100 Continue"), "100 Continue"));
  return body;
}

TEST(RegistryOperations, SigtermLetsARequestInFlightFinishThenExitsZero) {
  RegistryEnvironment env;
  auto& daemon = env.daemon();
  RawConnection conn(daemon.port());
  ASSERT_TRUE(conn.connected());
  std::string body = begin_slow_create(conn, "drained");
  daemon.signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return contains(daemon.log(), "draining"); })) << daemon.log();
  // Draining: no new connections, but the request in flight still completes.
  EXPECT_TRUE(eventually([&] { return !RawConnection(daemon.port()).connected(); }));
  EXPECT_EQ(daemon.wait_exit(200ms), -1) << "exited with a request in flight";
  conn.send(body);
  std::string answer = conn.read_until("\"drained\"");
  EXPECT_TRUE(contains(answer, "HTTP/1.1 200 OK")) << answer;
  EXPECT_TRUE(contains(answer, "\"drained\"")) << answer;
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.log();
  EXPECT_EQ(MariadbServer::instance().sql("SELECT name FROM images", env.database()), "drained\n");
}

TEST(RegistryOperations, SigtermExitsZeroWhenTheGracePeriodEnds) {
  RegistryEnvironment env("graceful_shutdown_timeout = 1\n");
  auto& daemon = env.daemon();
  RawConnection conn(daemon.port());
  begin_slow_create(conn, "never-finished");
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(20s), 0) << daemon.log();
  EXPECT_TRUE(contains(daemon.log(), "grace period over")) << daemon.log();
}

TEST(RegistryOperations, SighupReopensTheLogFileAfterItWasMoved) {
  std::string dir = make_temp_dir("glance-logs");
  std::string log = dir + "/registry.log";
  RegistryEnvironment env("log_file = " + log + "\n");
  HttpClient c(env.daemon().port());
  ASSERT_EQ(c.get("/images?name=before").status, 200u);
  ASSERT_TRUE(eventually([&] { return contains(read_file(log), "name=before"); }));
  fs::rename(log, log + ".1");  // what logrotate does before its postrotate reload
  env.daemon().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return contains(read_file(log), "logging reloaded"); }))
      << env.daemon().log();
  ASSERT_EQ(c.get("/images?name=after").status, 200u);
  EXPECT_TRUE(eventually([&] { return contains(read_file(log), "GET /images?name=after 200"); }));
  EXPECT_FALSE(contains(read_file(log + ".1"), "name=after"));
  EXPECT_TRUE(env.daemon().running());
}

TEST(RegistryOperations, SighupRereadsDebugFromTheConfigFiles) {
  RegistryEnvironment env;
  auto& daemon = env.daemon();
  std::string config = read_file(daemon.config_path());
  std::ofstream(daemon.config_path()) << "[DEFAULT]\ndebug = True\n" << config;
  daemon.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return contains(daemon.log(), "logging reloaded: level debug"); }))
      << daemon.log();
  // A config that no longer parses keeps the running settings and the daemon.
  std::ofstream(daemon.config_path()) << "[DEFAULT]\ndebug = perhaps\n" << config;
  daemon.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return contains(daemon.log(), "keeping the running settings"); }))
      << daemon.log();
  EXPECT_EQ(HttpClient(daemon.port()).get("/images").status, 200u);
}

// A NOTIFY_SOCKET as systemd provides one, in a temporary directory.
class NotifySocket {
 public:
  NotifySocket() : path_(make_temp_dir("glance-notify") + "/notify") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot bind " + path_);
  }
  ~NotifySocket() { ::close(fd_); }
  const std::string& path() const { return path_; }
  // The next datagram, or "" when none arrives in time.
  std::string receive(std::chrono::milliseconds timeout = 20s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[512];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_;
};

TEST(RegistryOperations, NotifiesReadinessReloadAndStopping) {
  NotifySocket notify;
  // Only the daemon gets the socket: the private MariaDB would notify it too.
  auto env = std::make_unique<RegistryEnvironment>(
      "", std::vector<std::pair<std::string, std::string>>{{"NOTIFY_SOCKET", notify.path()}});
  EXPECT_EQ(notify.receive(), "READY=1");
  // READY=1 came after the listener was up.
  EXPECT_TRUE(RawConnection(env->daemon().port()).connected());
  env->daemon().signal(SIGHUP);
  EXPECT_EQ(notify.receive(), "RELOADING=1");
  EXPECT_EQ(notify.receive(), "READY=1");
  EXPECT_EQ(env->daemon().stop(), 0);
  EXPECT_EQ(notify.receive(), "STOPPING=1");
}

TEST(RegistryOperations, BadLoggingValuesExitNonZeroNamingTheOption) {
  auto url = MariadbServer::instance().fresh_database();
  // A log file below a regular file: spdlog creates missing directories, but not this.
  std::string not_a_dir = make_temp_dir("glance-logs") + "/file";
  std::ofstream(not_a_dir) << "";
  std::string bad_log = "log_file = " + not_a_dir + "/registry.log\n";
  for (const auto& [line, named] :
       {std::pair{"use_syslog = true\nsyslog_log_facility = LOG_NOPE\n", "syslog_log_facility"},
        std::pair{"graceful_shutdown_timeout = soon\n", "graceful_shutdown_timeout"},
        std::pair{bad_log.c_str(), "cannot open log file"}}) {
    Daemon d(registry_binary(), registry_config(url, line));
    auto [code, out] = Daemon::run(registry_binary(), "--config-file " + d.config_path());
    EXPECT_EQ(code, 1) << line;
    EXPECT_TRUE(contains(out, named)) << out;
  }
}

// Sets deleted_at of every row of `table` for `image` to `days` days ago.
void age_rows(const std::string& db, const std::string& table, const std::string& image, int days) {
  std::string column = table == "images" ? "id" : "image_id";
  MariadbServer::instance().sql(
      "UPDATE " + table + " SET deleted_at = UTC_TIMESTAMP(6) - INTERVAL " + std::to_string(days) +
          " DAY WHERE " + column + " = '" + image + "'",
      db);
}

std::string count_rows(const std::string& db, const std::string& table) {
  return MariadbServer::instance().sql("SELECT COUNT(*) FROM " + table, db);
}

TEST(RegistryOperations, DbPurgeRemovesOldSoftDeletedRowsChildrenFirst) {
  RegistryEnvironment env;
  HttpClient c(env.daemon().port());
  auto create = [&](const std::string& name) {
    json image = {{"name", name}, {"properties", {{"a", "1"}, {"b", "2"}}}};
    auto r = c.post("/images", json{{"image", image}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  };
  std::string old1 = create("old1"), old2 = create("old2"), recent = create("recent");
  std::string live = create("live");
  // Counted member writes leave a fence row per image (write_fence.h).
  const HeaderList counted = {{"X-Image-Member-Quota", "10"}};
  ASSERT_EQ(c.put("/images/" + old1 + "/members/tenant2", "", counted).status, 204u);
  ASSERT_EQ(c.put("/images/" + live + "/members/tenant2", "", counted).status, 204u);
  EXPECT_EQ(count_rows(env.database(), "write_fences"), "2\n");
  for (const auto& id : {old1, old2, recent}) ASSERT_EQ(c.del("/images/" + id).status, 200u);
  for (const auto& id : {old1, old2})
    for (const char* table : {"images", "image_properties", "image_members"})
      age_rows(env.database(), table, id, 40);
  std::string args = "--config-file " + env.daemon().config_path();

  // max_rows bounds each table: 1 of the 4 old properties goes, so no image can go yet.
  auto [code, out] = Daemon::run(manage_binary(), args + " db purge --age_in_days 30 --max_rows 1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(contains(out, "Deleted 1 row(s) from table image_properties")) << out;
  EXPECT_TRUE(contains(out, "Deleted 1 row(s) from table image_members")) << out;
  EXPECT_TRUE(contains(out, "Deleted 0 row(s) from table images")) << out;
  EXPECT_EQ(count_rows(env.database(), "images"), "4\n");

  std::tie(code, out) = Daemon::run(manage_binary(), args + " db_purge --age_in_days=30");
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(MariadbServer::instance().sql("SELECT name FROM images ORDER BY name", env.database()),
            "live\nrecent\n");
  EXPECT_EQ(count_rows(env.database(), "image_properties"), "4\n");
  EXPECT_EQ(count_rows(env.database(), "image_members"), "1\n");
  // The fence of the purged image goes with it; the live image keeps its own.
  EXPECT_EQ(MariadbServer::instance().sql("SELECT name FROM write_fences", env.database()),
            "image:" + live + "\n");
  // The recent deletion is purged once the age allows it.
  std::tie(code, out) =
      Daemon::run(manage_binary(), args + " db purge --age_in_days 0 --max_rows -1");
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(MariadbServer::instance().sql("SELECT name FROM images", env.database()), "live\n");

  EXPECT_EQ(Daemon::run(manage_binary(), args + " db purge --age_in_days -1").first, 1);
  EXPECT_EQ(Daemon::run(manage_binary(), args + " db purge --max_rows -2").first, 1);
  EXPECT_EQ(Daemon::run(manage_binary(), args + " db purge --max_rows lots").first, 2);
}

}  // namespace
}  // namespace glance::testing
