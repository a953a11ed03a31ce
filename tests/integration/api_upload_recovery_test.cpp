// Uploads whose end the api cannot see: an activation whose answer is lost, and uploads whose
// glance-api died. No data that may be live is removed, and no upload stays saving forever.

#include "tests/support/api_fixture.h"
#include "tests/support/cutting_proxy.h"
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
#include <filesystem>
#include <fstream>
#include <thread>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

template <class F>
bool eventually(F condition, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

// An upload the test feeds by hand, so that it can be slow or abandoned midway.
class ManualUpload {
 public:
  ManualUpload(int port, const std::string& id, size_t length, const HeaderList& extra = {})
      : fd_(connect_loopback(port)) {
    if (fd_ < 0) throw std::runtime_error("connect failed");
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string head = "PUT /v1/images/" + id +
                       " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                       "Content-Length: " +
                       std::to_string(length) + "\r\n";
    for (const auto& [name, value] : extra) head += name + ": " + value + "\r\n";
    send(head + "\r\n");
  }
  ~ManualUpload() { ::close(fd_); }
  void send(const std::string& bytes) {
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
      throw std::runtime_error("send failed");
  }
  // The status line of the answer.
  std::string answer() {
    std::string out;
    char buf[4096];
    while (out.find("\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out.substr(0, out.find("\r\n"));
  }

 private:
  int fd_;
};

std::string api_config(int registry_port, const std::string& datadir, const std::string& extra) {
  return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n"
         "registry_host = 127.0.0.1\nregistry_port = " +
         std::to_string(registry_port) + "\nregistry_client_timeout = 30\n" + extra +
         "\n[glance_store]\nstores = file\ndefault_store = file\nfilesystem_store_datadir = " +
         datadir + "\n";
}

// A registry, a proxy in front of it that cuts the first request carrying `pattern`, and an
// api on a fresh file store that reaches the registry only through the proxy.
struct ApiBehindCuttingProxy {
  ApiBehindCuttingProxy(const std::string& pattern, const std::string& extra_config)
      : proxy(registry.daemon().port(), pattern),
        datadir(make_temp_dir("glance-api-store") + "/images"),
        api(api_binary(), api_config(proxy.port(), datadir, extra_config)) {
    api.start();
  }

  RegistryEnvironment registry;
  CuttingProxy proxy;
  std::string datadir;
  Daemon api;
};

std::string registry_status(RegistryEnvironment& registry, const std::string& id) {
  auto r = HttpClient(registry.daemon().port()).get("/images/" + id);
  return r.status == 200 ? r.json()["image"]["status"].get<std::string>() : "?";
}

size_t files_in(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(ApiActivationOutcome, LostAnswerOfACommittedActivationKeepsTheData) {
  // The activation is the only request carrying this: the registry commits it, the api never
  // hears back and finds its connection reset.
  ApiBehindCuttingProxy env(R"("status":"active")", "");
  auto& [registry, proxy, datadir, api] = env;
  HttpClient c(api.port());
  const std::string data = random_bytes(200000, 7);

  auto created = c.post("/v1/images", data, kRawBare);
  EXPECT_EQ(proxy.cuts(), 1);
  ASSERT_EQ(created.status, 201u) << created.body << "\n" << api.log();
  std::string id = created.json()["image"]["id"];
  EXPECT_EQ(registry_status(registry, id), "active");
  auto download = c.get("/v1/images/" + id);
  EXPECT_EQ(download.status, 200u);
  EXPECT_TRUE(download.body == data) << "downloaded " << download.body.size() << " bytes";
  EXPECT_EQ(files_in(datadir), 1u);
  // The api still serves.
  EXPECT_EQ(c.post("/v1/images", "after", kRawBare).status, 201u);
}

// The registry row of `id` is deleted (an admin may still see it, flagged).
bool registry_row_deleted(RegistryEnvironment& registry, const std::string& id) {
  auto r = HttpClient(registry.daemon().port()).get("/images/" + id);
  return r.status == 404 || (r.status == 200 && r.json()["image"]["deleted"] == true);
}

TEST(ApiInterruptedDelete, DeleteWhoseMarkAnswerIsLostIsFinishedByTheReaper) {
  // The delete's first step is the only request carrying this: the registry marks the image
  // deleted, the api never hears back, so it neither removes the data nor the row.
  ApiBehindCuttingProxy env(R"("status":"deleted")", "upload_orphan_timeout = 2\n");
  auto& [registry, proxy, datadir, api] = env;
  HttpClient c(api.port());
  const std::string kept_data = random_bytes(100000, 8);
  auto kept = c.post("/v1/images", kept_data, kRawBare);
  auto doomed = c.post("/v1/images", random_bytes(100000, 9), kRawBare);
  ASSERT_EQ(kept.status, 201u) << kept.body;
  ASSERT_EQ(doomed.status, 201u) << doomed.body;
  std::string id = doomed.json()["image"]["id"];

  auto deleted = c.del("/v1/images/" + id);
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_EQ(deleted.status, 503u) << deleted.body;  // the api cannot know
  EXPECT_EQ(registry_status(registry, id), "deleted");
  EXPECT_EQ(files_in(datadir), 2u);
  // Two seconds standing still, passes every second: finished within about three seconds.
  EXPECT_TRUE(eventually([&] { return files_in(env.datadir) == 1; }, 20s)) << api.log();
  EXPECT_TRUE(eventually([&] { return registry_row_deleted(env.registry, id); }, 5s)) << api.log();
  // The other image is untouched.
  auto download = c.get("/v1/images/" + kept.json()["image"]["id"].get<std::string>());
  EXPECT_EQ(download.status, 200u);
  EXPECT_TRUE(download.body == kept_data);
}

TEST(ApiInterruptedDelete, ReaperFinishingADeleteKeepsTheFileAnotherLiveImageUses) {
  ApiBehindCuttingProxy env(R"("status":"deleted")", "upload_orphan_timeout = 2\n");
  auto& [registry, proxy, datadir, api] = env;
  HttpClient c(api.port());
  const std::string data = random_bytes(100000, 12);
  auto doomed = c.post("/v1/images", data, kRawBare);
  ASSERT_EQ(doomed.status, 201u) << doomed.body;
  const std::string id = doomed.json()["image"]["id"];
  HttpClient r(registry.daemon().port());
  const std::string url = r.get("/images/" + id).json()["image"]["location"];
  // Another image names the same file, as any of the registry's trusted callers may write it.
  auto sharing = r.post("/images",
                        nlohmann::json{{"image",
                                        {{"status", "active"},
                                         {"location", url},
                                         {"size", data.size()},
                                         {"disk_format", "raw"},
                                         {"container_format", "bare"}}}}
                            .dump(),
                        {{"Content-Type", "application/json"}});
  ASSERT_EQ(sharing.status, 200u) << sharing.body;
  const std::string other = sharing.json()["image"]["id"];

  EXPECT_EQ(c.del("/v1/images/" + id).status, 503u);  // the mark's answer is cut
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_TRUE(eventually([&] { return registry_row_deleted(env.registry, id); }, 20s)) << api.log();
  EXPECT_NE(api.log().find("another live image uses it"), std::string::npos) << api.log();
  EXPECT_EQ(files_in(datadir), 1u);
  auto download = c.get("/v1/images/" + other);
  EXPECT_EQ(download.status, 200u);
  EXPECT_TRUE(download.body == data);
}

TEST(ApiInterruptedDelete, ReaperLeavesADeletedImageWhoseDataIsNotItsFile) {
  RegistryEnvironment registry;
  const std::string datadir = make_temp_dir("glance-api-store") + "/images";
  Daemon api(api_binary(),
             api_config(registry.daemon().port(), datadir, "upload_orphan_timeout = 2\n"));
  api.start();
  // Marked deleted, as by an interrupted delete, but naming data elsewhere: not the reaper's.
  HttpClient r(registry.daemon().port());
  const HeaderList json_type = {{"Content-Type", "application/json"}};
  auto created = r.post("/images",
                        R"({"image": {"status": "active", "location": "file:///elsewhere/x",)"
                        R"( "size": 5, "disk_format": "raw", "container_format": "bare"}})",
                        json_type);
  ASSERT_EQ(created.status, 200u) << created.body;
  std::string id = created.json()["image"]["id"];
  ASSERT_EQ(r.put("/images/" + id, R"({"image": {"status": "deleted"}})", json_type).status, 200u);
  // A control that the reaper does finish: the same, naming no data.
  auto control = r.post("/images", R"({"image": {"status": "deleted"}})", json_type);
  ASSERT_EQ(control.status, 200u) << control.body;
  std::string control_id = control.json()["image"]["id"];
  EXPECT_TRUE(eventually([&] { return registry_row_deleted(registry, control_id); }, 20s))
      << api.log();
  EXPECT_EQ(registry_status(registry, id), "deleted");
  EXPECT_FALSE(registry_row_deleted(registry, id));
}

TEST(ApiOrphanedUpload, KilledApiUploadEndsKilledWithNoFileAfterRestart) {
  ApiEnvironment env(false, "upload_orphan_timeout = 2\n");
  auto created = env.client().post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", "o"}}));
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  {
    ManualUpload upload(env.api().port(), id, 90000);
    upload.send(std::string(30000, 'p'));
    ASSERT_TRUE(eventually([&] { return registry_status(env.registry(), id) == "saving"; }, 20s));
    ASSERT_TRUE(eventually([&] { return env.stored_files() == 1; }, 20s));  // its partial file
    env.api().signal(SIGKILL);
    ASSERT_EQ(env.api().wait_exit(20s), 128 + SIGKILL);
  }
  EXPECT_EQ(env.stored_files(), 1u);  // the dead process left its partial file
  std::ifstream config_file(env.api().config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)),
                           std::istreambuf_iterator<char>());
  Daemon restarted_api(api_binary(), config);
  restarted_api.start();
  auto restarted = std::chrono::steady_clock::now();
  // Two seconds of standing still, passes every second: killed within about three seconds;
  // the bound leaves room for a loaded machine.
  EXPECT_TRUE(eventually([&] { return registry_status(env.registry(), id) == "killed"; }, 10s))
      << registry_status(env.registry(), id) << "\n"
      << restarted_api.log();
  const auto took = std::chrono::steady_clock::now() - restarted;
  // Not at once: the reaper first watches the lease stand still for the timeout, on a clock
  // that starts a little before start() returns here.
  EXPECT_GE(took, 1500ms);
  RecordProperty("killed_after_ms", static_cast<int>(took / 1ms));
  EXPECT_TRUE(eventually([&] { return env.stored_files() == 0; }, 5s));
  EXPECT_EQ(HttpClient(restarted_api.port()).get("/v1/images").status, 200u);
}

// The bytes a dead api's upload reserved are held while the image is saving and come back to
// the owner once the reaper kills it.
TEST(ApiOrphanedUpload, ReaperReleasesTheStorageQuotaADeadUploadReserved) {
  ApiEnvironment env(true, "upload_orphan_timeout = 2\nuser_storage_quota = 10MB\n");
  const HeaderList tenant = identity("quota-tenant");
  const size_t size = 9 << 20;
  HttpClient c = env.client(with(tenant, kRawBare));
  auto created = c.post("/v1/images", "", {{"x-image-meta-size", std::to_string(size)}});
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];
  HttpClient registry(env.registry().daemon().port(), tenant);
  auto usage = [&] { return registry.get("/usage/quota-tenant").json()["usage"].get<int64_t>(); };
  auto status = [&] { return registry.get("/images/" + id).json()["image"]["status"]; };
  {
    ManualUpload upload(env.api().port(), id, size, tenant);
    upload.send(std::string(30000, 'p'));
    ASSERT_TRUE(eventually([&] { return usage() == static_cast<int64_t>(size); }, 20s));
    env.api().signal(SIGKILL);
    ASSERT_EQ(env.api().wait_exit(20s), 128 + SIGKILL);
  }
  std::ifstream config_file(env.api().config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)),
                           std::istreambuf_iterator<char>());
  Daemon restarted_api(api_binary(), config);
  restarted_api.start();
  HttpClient again(restarted_api.port(), with(tenant, kRawBare));
  // Reserved by the dead upload: nothing else of that size fits meanwhile.
  EXPECT_EQ(again.post("/v1/images", std::string(2 << 20, 'x')).status, 413u);
  EXPECT_TRUE(eventually([&] { return status() == "killed"; }, 10s)) << restarted_api.log();
  EXPECT_EQ(usage(), 0);
  EXPECT_EQ(again.post("/v1/images", std::string(size, 'y')).status, 201u);
}

TEST(ApiOrphanedUpload, OneNodesReaperKillsOnlyTheDeadUploadNotTheOtherNodesLiveOne) {
  RegistryEnvironment registry;
  const std::string datadir = make_temp_dir("glance-api-store") + "/images";
  Daemon node_a(api_binary(),
                api_config(registry.daemon().port(), datadir, "upload_orphan_timeout = 2\n"));
  Daemon node_b(api_binary(),
                api_config(registry.daemon().port(), datadir, "upload_orphan_timeout = 2\n"));
  node_a.start();
  node_b.start();
  HttpClient a(node_a.port());
  auto queued = [&](const std::string& name) {
    auto r = a.post("/v1/images", "", with(kRawBare, {{"x-image-meta-name", name}}));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json()["image"]["id"].get<std::string>();
  };

  // A dead node's upload: saving, and a partial file nobody writes.
  std::string dead = queued("dead");
  ASSERT_EQ(HttpClient(registry.daemon().port())
                .put("/images/" + dead, R"({"image": {"status": "saving"}})",
                     {{"Content-Type", "application/json"}})
                .status,
            200u);
  std::ofstream(datadir + "/." + dead + ".999999-0.partial") << "partial";

  // A live, slow upload on node A: a byte burst every half second for three timeouts.
  std::string live = queued("live");
  const size_t bursts = 12, burst = 1000;
  ManualUpload upload(node_a.port(), live, bursts * burst);
  for (size_t i = 0; i < bursts; ++i) {
    upload.send(std::string(burst, 'l'));
    if (i + 1 == bursts) break;
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(registry_status(registry, live), "saving") << "after burst " << i;
  }
  EXPECT_EQ(upload.answer().substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(registry_status(registry, live), "active");
  EXPECT_EQ(a.get("/v1/images/" + live).body, std::string(bursts * burst, 'l'));

  EXPECT_TRUE(eventually([&] { return registry_status(registry, dead) == "killed"; }, 20s))
      << node_b.log();
  EXPECT_TRUE(eventually([&] { return files_in(datadir) == 1; }, 5s));  // the live image only
}

}  // namespace
}  // namespace glance::testing
