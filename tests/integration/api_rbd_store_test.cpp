// glance-api with its image data on Ceph RBD, against the real single-node Ceph of the test
// harness (and, for the outage case, one of the test's own): uploads of known and unknown
// size, downloads and ranges, a clone (as Nova makes one) making delete a 409, a client gone
// mid-upload, Ceph stopped and started again under a running api, Ceph stopped in the middle
// of an upload (its partial RBD image goes once Ceph is back), a stop of the api while Ceph is
// away (prompt; the next start reaps what the cut upload left), the OSD paused in the middle of
// an upload and resumed (the same api serves again), a v2 location naming another image's
// RBD data (refused), the reaper removing what a killed image left in the pool, and writes
// Ceph holds past the timeout (503; the api serves meanwhile and recovers).

#include "common/hex_digest.h"
#include "tests/support/api_fixture.h"
#include "tests/support/ceph_cluster.h"
#include "tests/support/eventually.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/source_server.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing {
namespace {

std::string rbd_options(const CephCluster& cluster, const std::string& pool, int timeout) {
  return "stores = file, rbd\n"
         "default_store = rbd\n"
         "rbd_store_ceph_conf = " +
         cluster.conf + "\nrbd_store_pool = " + pool +
         "\n"
         // 1 MiB objects, so a few MiB span several and an unknown size grows in steps.
         "rbd_store_chunk_size = 1\n"
         "rados_connect_timeout = " +
         std::to_string(timeout) + "\n";
}

HeaderList image_headers(const std::string& name) {
  return {{"x-image-meta-name", name},
          {"x-image-meta-disk_format", "raw"},
          {"x-image-meta-container_format", "bare"},
          {"Content-Type", "application/octet-stream"}};
}

// Uploads `data` as image "after" once the api reaches Ceph again: the first calls after an
// outage may still time out. The last answer.
HttpResponse upload_after_outage(HttpClient& client, const std::string& data) {
  HttpResponse after;
  EXPECT_TRUE(eventually(
      [&] {
        after = client.post("/v1/images", data, image_headers("after"));
        return after.status == 201u;
      },
      std::chrono::seconds(120)))
      << after.status << " " << after.body;
  return after;
}

// The image named `name`, killed ones included, as the api lists it.
nlohmann::json listed(HttpClient& client, const std::string& name) {
  auto images =
      client.get("/v1/images/detail?changes-since=2000-01-01T00:00:00&is_public=none&name=" + name)
          .json()["images"];
  return images.empty() ? nlohmann::json() : images[0];
}

class ApiRbdStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    admin_ = new CephAdmin(ceph_cluster());
    pool_ = new std::string(admin_->create_pool("glance-api"));
    env_ = new ApiEnvironment(false, "", rbd_options(ceph_cluster(), *pool_, 60));
  }
  static void TearDownTestSuite() {
    delete env_;
    admin_->delete_pool(*pool_);
    delete pool_;
    delete admin_;
  }
  std::vector<std::string> images() const { return admin_->images(*pool_); }

  static CephAdmin* admin_;
  static std::string* pool_;
  static ApiEnvironment* env_;
  HttpClient client_ = env_->client();
};
CephAdmin* ApiRbdStore::admin_ = nullptr;
std::string* ApiRbdStore::pool_ = nullptr;
ApiEnvironment* ApiRbdStore::env_ = nullptr;

TEST_F(ApiRbdStore, UploadDownloadRangeDeleteOfKnownAndUnknownSize) {
  for (bool chunked : {false, true}) {
    const auto data = random_bytes((5 << 20) + 777, chunked ? 11 : 12);
    auto r = client_.request("POST", "/v1/images", image_headers("rbd"), data, chunked);
    ASSERT_EQ(r.status, 201u) << r.body;
    auto image = r.json()["image"];
    EXPECT_EQ(image["status"], "active");
    EXPECT_EQ(image["checksum"], common::md5_hex(data));
    EXPECT_EQ(image["size"], data.size());
    const std::string id = image["id"];
    EXPECT_EQ(images(), std::vector<std::string>{id});
    EXPECT_TRUE(admin_->snapshot_protected(*pool_, id, "snap"));
    EXPECT_EQ(admin_->image_size(*pool_, id), data.size());
    auto back = client_.get("/v1/images/" + id);
    ASSERT_EQ(back.status, 200u);
    EXPECT_TRUE(back.body == data) << "chunked=" << chunked;
    auto part = client_.get("/v1/images/" + id, {{"Range", "bytes=1048570-1048589"}});
    ASSERT_EQ(part.status, 206u);
    EXPECT_EQ(part.body, data.substr(1048570, 20));
    EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
    EXPECT_TRUE(images().empty());
  }
}

TEST_F(ApiRbdStore, DeletingAnImageNovaClonedIs409AndKeepsIt) {
  const auto data = random_bytes(400000, 13);
  auto r = client_.post("/v1/images", data, image_headers("cloned"));
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id = r.json()["image"]["id"];
  admin_->clone(*pool_, id, "snap", "instance-" + id);
  auto refused = client_.del("/v1/images/" + id);
  EXPECT_EQ(refused.status, 409u) << refused.body;
  auto head = client_.head("/v1/images/" + id);
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-status"), "active");
  EXPECT_TRUE(client_.get("/v1/images/" + id).body == data);
  EXPECT_TRUE(admin_->snapshot_protected(*pool_, id, "snap"));
  admin_->remove_image(*pool_, "instance-" + id);
  EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
  EXPECT_TRUE(images().empty());
}

TEST_F(ApiRbdStore, ClientGoneMidUploadLeavesNoImage) {
  // Announce 6 MiB, send 3 and hang up.
  const auto bytes = random_bytes(3 << 20, 14);
  const std::string head =
      "POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
      "x-image-meta-name: cut\r\nx-image-meta-disk_format: raw\r\n"
      "x-image-meta-container_format: bare\r\nContent-Length: " +
      std::to_string(6 << 20) + "\r\n\r\n";
  client_.raw_then_close(head + bytes);
  EXPECT_TRUE(eventually([&] { return listed(client_, "cut")["status"] == "killed"; }));
  EXPECT_TRUE(eventually([&] { return images().empty(); }));
  EXPECT_TRUE(images().empty());
}

// Two uploads to one queued image at once: the RBD image is named after the image id, so
// both writers want the same name. One upload wins with its bytes and one protected
// snapshot; the other is refused, and its failure must not take the winner's RBD image with
// it. The api's descriptors, threads and memory come back to the baseline.
TEST_F(ApiRbdStore, TwoUploadsRacingForOneImageLeaveTheWinnersDataAlone) {
  const auto warm_data = random_bytes(70000, 15);
  auto warm = client_.post("/v1/images", warm_data, image_headers("race-warm"));
  ASSERT_EQ(warm.status, 201u) << warm.body;
  const std::string warm_id = warm.json()["image"]["id"];
  EXPECT_TRUE(client_.get("/v1/images/" + warm_id).body == warm_data);
  EXPECT_EQ(client_.del("/v1/images/" + warm_id).status, 200u);
  const auto baseline = ProcessHealth::snapshot(env_->api().pid());

  auto queued = client_.post("/v1/images", "", image_headers("raced"));
  ASSERT_EQ(queued.status, 201u) << queued.body;
  const std::string id = queued.json()["image"]["id"];
  const std::string bytes[] = {random_bytes(2 << 20, 16), random_bytes(2 << 20, 17)};
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (const auto& data : bytes) {
    conns.push_back(std::make_unique<RawConnection>(env_->api().port()));
    ASSERT_TRUE(conns.back()->send(
        "PUT /v1/images/" + id +
        " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
        std::to_string(data.size()) + "\r\n\r\n" + data.substr(0, data.size() / 2)));
  }
  std::string answers[2];
  for (size_t i = 0; i < 2; ++i) {
    conns[i]->send(bytes[i].substr(bytes[i].size() / 2));
    answers[i] = conns[i]->read(12, std::chrono::seconds(60));
  }
  const size_t won = answers[0] == "HTTP/1.1 200" ? 0 : answers[1] == "HTTP/1.1 200" ? 1 : 2;
  ASSERT_LT(won, 2u) << "neither upload won: " << answers[0] << " / " << answers[1];
  EXPECT_NE(answers[1 - won], "HTTP/1.1 200") << "both uploads won";
  EXPECT_TRUE(answers[1 - won].starts_with("HTTP/1.1 4")) << answers[1 - won];
  conns.clear();

  auto head = client_.head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-status"), "active");
  EXPECT_TRUE(client_.get("/v1/images/" + id).body == bytes[won]);
  // The loser's clean-up has run by the time its answer came; the winner's image stays.
  EXPECT_EQ(images(), std::vector<std::string>{id});
  EXPECT_TRUE(admin_->snapshot_protected(*pool_, id, "snap"));
  EXPECT_EQ(admin_->image_size(*pool_, id), bytes[won].size());
  EXPECT_EQ(client_.del("/v1/images/" + id).status, 200u);
  EXPECT_TRUE(images().empty());
  expect_recovered(env_->api(), baseline);
}

// Ceph stops (monitor and OSD) under a running api and comes back: meanwhile uploads and
// downloads fail with 503 within the configured timeout and leave no active image and no RBD
// image; once Ceph is back, the same api process uploads and downloads again, the image from
// before the outage included. The cluster is the test's own, so that stopping it disturbs no
// other test.
TEST(ApiRbdOutage, CephStoppedAndStartedAgainFailsCleanlyThenServesWithoutRestart) {
  using std::chrono::seconds;
  using std::chrono::steady_clock;
  PrivateCephCluster ceph;
  const std::string pool = ceph.cluster().pool;
  constexpr int kTimeout = 5;
  ApiEnvironment env(false, "", rbd_options(ceph.cluster(), pool, kTimeout));
  auto client = env.client();
  const auto before = random_bytes(300000, 17);
  auto r = client.post("/v1/images", before, image_headers("before"));
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string before_id = r.json()["image"]["id"];
  ASSERT_TRUE(client.get("/v1/images/" + before_id).body == before);

  ceph.stop();
  // Each request makes a few Ceph calls, each bounded by the timeout; 60 s is generous.
  const auto during = random_bytes(200000, 18);
  auto started = steady_clock::now();
  auto refused = client.post("/v1/images", during, image_headers("during"));
  EXPECT_LT(steady_clock::now() - started, seconds(60));
  EXPECT_EQ(refused.status, 503u) << refused.body;
  started = steady_clock::now();
  auto unread = client.get("/v1/images/" + before_id);
  EXPECT_LT(steady_clock::now() - started, seconds(60));
  EXPECT_EQ(unread.status, 503u) << unread.body.substr(0, 200);
  EXPECT_NE(listed(client, "during")["status"], "active");
  // The registry still answers for the image whose bytes are out of reach.
  EXPECT_EQ(client.head("/v1/images/" + before_id).header("x-image-meta-status"), "active");

  ceph.start_again();
  // The api recovers by itself; the first calls after the restart may still time out.
  HttpResponse after = upload_after_outage(client, during);
  ASSERT_EQ(after.status, 201u);
  const std::string after_id = after.json()["image"]["id"];
  EXPECT_TRUE(client.get("/v1/images/" + after_id).body == during);
  EXPECT_TRUE(client.get("/v1/images/" + before_id).body == before);
  // Nothing of the refused upload stays in Ceph.
  CephAdmin admin(ceph.cluster());
  auto expected = std::vector<std::string>{before_id, after_id};
  std::sort(expected.begin(), expected.end());
  EXPECT_TRUE(eventually([&] { return admin.images(pool) == expected; }, seconds(60)));
  EXPECT_EQ(admin.images(pool), expected);
  EXPECT_EQ(client.del("/v1/images/" + after_id).status, 200u);
}

// An upload of unknown size cut by a Ceph outage: sends three 1 MiB chunks, waits for the
// upload's RBD image, calls `outage` (by default stops Ceph, monitor and OSD, keeping their
// data), sends a few more chunks and returns the api's status line, which comes once a write
// times out.
std::string upload_cut_by_outage(ApiEnvironment& env, PrivateCephCluster& ceph,
                                 const std::function<void()>& outage = {}) {
  RawConnection upload(env.api().port());
  const std::string head =
      "POST /v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
      "x-image-meta-name: cut\r\nx-image-meta-disk_format: raw\r\n"
      "x-image-meta-container_format: bare\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_TRUE(upload.send(head));
  const std::string mib = random_bytes(1 << 20, 19);
  auto send_chunk = [&] {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", mib.size());
    return upload.send(size + mib + "\r\n");
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(send_chunk());
  {
    CephAdmin admin(ceph.cluster());
    EXPECT_TRUE(eventually([&] { return admin.images(ceph.cluster().pool).size() == 1; }));
  }
  if (outage)
    outage();
  else
    ceph.stop();
  // Enough for the api to have more writes for Ceph than it keeps in flight (it reads ahead),
  // so that one waits for a write that times out; little enough for the socket buffers, so
  // that sending never blocks for long on an api that stopped reading.
  for (int i = 0; i < 6; ++i) send_chunk();
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (answer.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    answer += upload.read(1 << 16, std::chrono::milliseconds(200));
  return answer.substr(0, answer.find("\r\n"));
}

// The names in `pool` of the RBD images of uploads of `id` ("<id>-<tag>") and of `id` itself.
std::vector<std::string> images_of(CephAdmin& admin, const std::string& pool,
                                   const std::string& id) {
  std::vector<std::string> out;
  for (const auto& name : admin.images(pool))
    if (name.starts_with(id)) out.push_back(name);
  return out;
}

// Whether `pool` holds no image of `id`. Ceph just back from an outage may not answer a
// listing yet: that is not yet an answer.
bool no_images_of(CephAdmin& admin, const std::string& pool, const std::string& id) {
  try {
    return images_of(admin, pool, id).empty();
  } catch (const std::exception&) {
    return false;
  }
}

// Ceph stops in the middle of an upload: the upload is answered 503 and its image killed; the
// api's client closed the partial RBD image while Ceph was away, so Ceph still holds that
// client's exclusive lock and watch on it when it comes back. The api removes the image by
// itself once Ceph answers (the orphan reaper is off here), and serves uploads again.
TEST(ApiRbdOutage, CephStoppedMidUploadKillsTheImageAndItsRbdImageGoesOnceCephIsBack) {
  using std::chrono::seconds;
  PrivateCephCluster ceph;
  const std::string pool = ceph.cluster().pool;
  ApiEnvironment env(false, "upload_orphan_timeout = 0\n", rbd_options(ceph.cluster(), pool, 5));
  auto client = env.client();
  EXPECT_EQ(upload_cut_by_outage(env, ceph), "HTTP/1.1 503 Service Unavailable");
  auto cut = listed(client, "cut");
  EXPECT_TRUE(eventually([&] { return (cut = listed(client, "cut"))["status"] == "killed"; }));
  ASSERT_TRUE(cut.contains("id")) << cut.dump();
  const std::string cut_id = cut["id"];

  ceph.start_again();
  const auto data = random_bytes(200000, 20);
  HttpResponse after = upload_after_outage(client, data);
  ASSERT_EQ(after.status, 201u);
  const std::string id = after.json()["image"]["id"];
  EXPECT_TRUE(client.get("/v1/images/" + id).body == data);
  CephAdmin admin(ceph.cluster());
  EXPECT_TRUE(eventually([&] { return no_images_of(admin, pool, cut_id); }, seconds(120)));
  EXPECT_EQ(admin.images(pool), std::vector<std::string>{id}) << env.api().log();
}

// The OSD alone pauses (SIGSTOP, and is marked down as a real cluster would mark it; see
// PrivateCephCluster::pause_osd) in the middle of an upload, long enough for its writes to time
// out, and resumes: the monitor answers all along, so only the writes in flight and the close
// and removal after them meet the outage. The upload is
// answered 503 and its image killed; once the OSD runs again the same api process removes the
// partial RBD image by itself and uploads and downloads again.
TEST(ApiRbdOutage, OsdPausedMidUploadFailsItCleanlyThenTheSameApiServes) {
  using std::chrono::seconds;
  PrivateCephCluster ceph;
  const std::string pool = ceph.cluster().pool;
  // Resumed on every way out: the cluster's own stop needs a running OSD.
  struct Resume {
    int pid;
    ~Resume() { ::kill(pid, SIGCONT); }
  } resume{ceph.osd_pid()};
  ApiEnvironment env(false, "upload_orphan_timeout = 0\n", rbd_options(ceph.cluster(), pool, 5));
  auto client = env.client();
  const std::string status = upload_cut_by_outage(env, ceph, [&] { ceph.pause_osd(); });
  EXPECT_EQ(status, "HTTP/1.1 503 Service Unavailable") << env.api().log();
  auto cut = listed(client, "cut");
  EXPECT_TRUE(eventually([&] { return (cut = listed(client, "cut"))["status"] == "killed"; }));
  ASSERT_TRUE(cut.contains("id")) << cut.dump();
  const std::string cut_id = cut["id"];
  // Long enough for the close and the removal attempted during the pause to time out too.
  std::this_thread::sleep_for(seconds(6));

  ceph.resume_osd();
  const auto data = random_bytes(3 << 20, 22);
  HttpResponse after = upload_after_outage(client, data);
  ASSERT_EQ(after.status, 201u) << env.api().log();
  const std::string id = after.json()["image"]["id"];
  EXPECT_EQ(after.json()["image"]["status"], "active");
  EXPECT_TRUE(client.get("/v1/images/" + id).body == data);
  EXPECT_EQ(listed(client, "cut")["status"], "killed");
  CephAdmin admin(ceph.cluster());
  EXPECT_TRUE(eventually([&] { return no_images_of(admin, pool, cut_id); }, seconds(180)))
      << env.api().log();
  EXPECT_EQ(admin.images(pool), std::vector<std::string>{id});
  EXPECT_EQ(client.del("/v1/images/" + id).status, 200u);
}

// SIGTERM while Ceph is away and the api retries the removal of a cut upload's RBD image: the
// api exits promptly (the retries are abandoned; each Ceph call in flight is bounded by the
// 5 s timeout). Once Ceph is back, the image is still there; a new api process's orphan
// reaper finds it, sees its Glance image killed and removes it, and the api serves uploads.
TEST(ApiRbdOutage, StopWhileCephIsAwayIsPromptAndTheNextStartReapsTheCutUpload) {
  using std::chrono::seconds;
  using std::chrono::steady_clock;
  PrivateCephCluster ceph;
  const std::string pool = ceph.cluster().pool;
  // A short orphan timeout: the reaper passes every second.
  ApiEnvironment env(false, "upload_orphan_timeout = 4\n", rbd_options(ceph.cluster(), pool, 5));
  auto client = env.client();
  const std::string status = upload_cut_by_outage(env, ceph);
  EXPECT_TRUE(status.starts_with("HTTP/1.1 5")) << status;
  auto cut = listed(client, "cut");
  EXPECT_TRUE(eventually([&] { return (cut = listed(client, "cut"))["status"] == "killed"; }));
  ASSERT_TRUE(cut.contains("id")) << cut.dump();
  const std::string cut_id = cut["id"];

  const auto signalled = steady_clock::now();
  env.api().signal(SIGTERM);
  const int code = env.api().wait_exit(seconds(60));
  const auto took = steady_clock::now() - signalled;
  if (code == -1) {
    env.api().signal(SIGKILL);
    env.api().wait_exit(seconds(10));
  }
  EXPECT_EQ(code, 0) << env.api().log();
  EXPECT_LT(took, seconds(20)) << env.api().log();

  ceph.start_again();
  CephAdmin admin(ceph.cluster());
  ASSERT_EQ(images_of(admin, pool, cut_id).size(), 1u);
  std::ifstream config(env.api().config_path());
  std::stringstream text;
  text << config.rdbuf();
  Daemon again(api_binary(), text.str());
  again.start();
  // Ceph keeps the dead api's watch for about 30 s after it comes back, and each removal
  // attempt meanwhile waits for that holder to answer: generous, as the machine may be loaded.
  EXPECT_TRUE(eventually([&] { return no_images_of(admin, pool, cut_id); }, seconds(180)))
      << again.log();
  HttpClient second(again.port());
  const auto data = random_bytes(200000, 21);
  auto after = second.post("/v1/images", data, image_headers("after"));
  ASSERT_EQ(after.status, 201u) << after.body;
  const std::string id = after.json()["image"]["id"];
  EXPECT_TRUE(second.get("/v1/images/" + id).body == data);
  EXPECT_EQ(admin.images(pool), std::vector<std::string>{id});
  EXPECT_EQ(again.stop(), 0);
}

// What an upload leaves when it committed its RBD image ("<id>" with its protected snapshot)
// and then could neither activate the image nor remove that RBD image (its glance-api died
// between the two, or Ceph went away meanwhile): an image killed (by the reaper, or the failed
// activation) with its data in the pool and no location naming it. The orphan reaper removes
// it; the RBD images of an active image, of a queued one and of an id the registry does not
// know stay.
// Writes Ceph holds longer than the store's timeout (librbd's QoS throttle on the pool, far
// below what the upload sends; the same wait as behind an exclusive lock librbd cannot take
// back from a stopped OSD): the upload answers 503 and its image ends killed; while librbd
// still holds the writes the api serves other uploads and downloads, since no thread waits
// for them; once they are through, the RBD image goes and the api's descriptors, threads and
// memory are back at their baseline.
TEST(ApiRbdHeldWrites, AnUploadWhoseWritesCephHoldsIs503AndTheApiServesAndRecovers) {
  CephAdmin admin(ceph_cluster());
  const std::string pool = admin.create_pool("glance-held");
  admin.set_pool_config(pool, "rbd_qos_write_bps_limit", "262144");  // 1 MiB in 4 s
  {
    ApiEnvironment env(false, "", rbd_options(ceph_cluster(), pool, 3));
    auto client = env.client();
    HeaderList to_file = image_headers("beside");
    to_file.emplace_back("x-image-meta-store", "file");
    // Both stores once before the baseline (within the throttle's burst for rbd), so that what
    // they start at first use is in it.
    auto warm = client.post("/v1/images", random_bytes(65536, 40), image_headers("warm"));
    ASSERT_EQ(warm.status, 201u) << warm.body;
    const std::string warm_id = warm.json()["image"]["id"];
    EXPECT_EQ(client.get("/v1/images/" + warm_id).status, 200u);
    // An RBD image's removal starts librbd's own thread pool for good (tp_librbd_journ).
    auto removed = client.post("/v1/images", random_bytes(1000, 44), image_headers("removed"));
    ASSERT_EQ(removed.status, 201u) << removed.body;
    EXPECT_EQ(client.del("/v1/images/" + removed.json()["image"]["id"].get<std::string>()).status,
              200u);
    auto warm_file = client.post("/v1/images", random_bytes(65536, 43), to_file);
    ASSERT_EQ(warm_file.status, 201u) << warm_file.body;
    const std::string warm_file_id = warm_file.json()["image"]["id"];
    EXPECT_EQ(client.get("/v1/images/" + warm_file_id).status, 200u);
    EXPECT_EQ(client.del("/v1/images/" + warm_file_id).status, 200u);
    const auto baseline = ProcessHealth::snapshot(env.api().pid());

    auto held = client.post("/v1/images", random_bytes(2 << 20, 41), image_headers("held"));
    EXPECT_EQ(held.status, 503u) << held.body;
    EXPECT_TRUE(eventually([&] { return listed(client, "held")["status"] == "killed"; }));
    const std::string held_id = listed(client, "held")["id"];
    EXPECT_FALSE(images_of(admin, pool, held_id).empty()) << "the held writes went through early";
    // The api serves meanwhile.
    const auto data = random_bytes(300000, 42);
    auto beside = client.post("/v1/images", data, to_file);
    ASSERT_EQ(beside.status, 201u) << beside.body;
    const std::string beside_id = beside.json()["image"]["id"];
    EXPECT_TRUE(client.get("/v1/images/" + beside_id).body == data);

    EXPECT_TRUE(
        eventually([&] { return no_images_of(admin, pool, held_id); }, std::chrono::seconds(60)));
    EXPECT_EQ(client.del("/v1/images/" + beside_id).status, 200u);
    EXPECT_EQ(client.del("/v1/images/" + warm_id).status, 200u);
    expect_recovered(env.api(), baseline);
  }
  EXPECT_TRUE(admin.images(pool).empty());
  admin.delete_pool(pool);
}

TEST(ApiRbdReaper, AKilledImagesCommittedRbdImageGoesAndNoOtherOne) {
  using std::chrono::seconds;
  CephAdmin admin(ceph_cluster());
  const std::string pool = admin.create_pool("glance-reaper");
  {
    // A short orphan timeout: the reaper passes every second.
    ApiEnvironment env(false, "upload_orphan_timeout = 4\n", rbd_options(ceph_cluster(), pool, 60));
    auto client = env.client();
    const auto data = random_bytes(300000, 23);
    auto active = client.post("/v1/images", data, image_headers("active"));
    ASSERT_EQ(active.status, 201u) << active.body;
    const std::string active_id = active.json()["image"]["id"];
    auto queued = [&](const std::string& name) {
      auto r = client.post("/v1/images", "",
                           {{"x-image-meta-name", name},
                            {"x-image-meta-disk_format", "raw"},
                            {"x-image-meta-container_format", "bare"}});
      EXPECT_EQ(r.status, 201u) << r.body;
      EXPECT_EQ(r.json()["image"]["status"], "queued");
      return r.json()["image"]["id"].get<std::string>();
    };
    const std::string killed_id = queued("killed"), queued_id = queued("queued");
    const std::string unknown_id = "5d0c3f7a-2b1e-4c9d-8e7f-6a5b4c3d2e1f";
    for (const auto& id : {killed_id, queued_id, unknown_id}) {
      admin.clone(pool, active_id, "snap", id);
      admin.protected_snapshot(pool, id, "snap");
    }
    HttpClient registry(env.registry().daemon().port());
    auto killed = registry.put("/images/" + killed_id,
                               nlohmann::json{{"image", {{"status", "killed"}}}}.dump(),
                               {{"Content-Type", "application/json"}});
    ASSERT_EQ(killed.status, 200u) << killed.body;

    EXPECT_TRUE(eventually([&] { return images_of(admin, pool, killed_id).empty(); }, seconds(60)))
        << env.api().log();
    std::vector<std::string> stay{active_id, queued_id, unknown_id};
    std::sort(stay.begin(), stay.end());
    // Several more passes, which must leave the others be.
    std::this_thread::sleep_for(seconds(3));
    EXPECT_EQ(admin.images(pool), stay);
    EXPECT_TRUE(client.get("/v1/images/" + active_id).body == data);
    EXPECT_EQ(client.head("/v1/images/" + queued_id).header("x-image-meta-status"), "queued");
  }
  admin.delete_pool(pool);
}

// v2 locations on RBD where the operator lets clients name rbd urls (Nova's direct snapshots
// do, with show_multiple_locations): another image's RBD data is refused as any other store's
// upload is, though its url ends in the snapshot's name, not the image's.
class ApiRbdLocations : public SharedTenantsApiTest {
 protected:
  static void SetUpTestSuite() {
    ceph_ = new CephAdmin(ceph_cluster());
    pool_ = new std::string(ceph_->create_pool("glance-locations"));
    source_ = new SourceServer();
    source_->put("/object", "bytes at an http location");
    dir_ = new std::string(make_temp_dir("glance-api-rbd-locations"));
    std::ofstream(*dir_ + "/policy.yaml")
        << "get_image_location: 'role:admin or tenant:tenant-b'\n"
        << "set_image_location: 'role:admin or tenant:tenant-b'\n";
    // The http store too: a location beside the RBD data may be at an http url.
    std::string stores = rbd_options(ceph_cluster(), *pool_, 60);
    stores.replace(0, stores.find('\n'), "stores = file, rbd, http");
    start_shared_api(
        "show_multiple_locations = true\nexternal_source_schemes = rbd, http\n"
        "[oslo_policy]\npolicy_file = " +
            *dir_ + "/policy.yaml\n",
        stores);
  }
  static void TearDownTestSuite() {
    SharedTenantsApiTest::TearDownTestSuite();
    ceph_->delete_pool(*pool_);
    delete pool_;
    delete ceph_;
    delete dir_;
    delete source_;
  }

  static inline SourceServer* source_ = nullptr;
  static inline CephAdmin* ceph_ = nullptr;
  static inline std::string* pool_ = nullptr;
  static inline std::string* dir_ = nullptr;
};

TEST_F(ApiRbdLocations, AnotherImagesRbdDataIsRefused) {
  const nlohmann::json kImage = {
      {"name", "rbd-victim"}, {"disk_format", "raw"}, {"container_format", "bare"}};
  const HeaderList json_type = {{"Content-Type", "application/json"}};
  auto created = alice_.post("/v2/images", kImage.dump(), json_type);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string theirs = created.json()["id"];
  ASSERT_EQ(alice_
                .request("PUT", "/v2/images/" + theirs + "/file",
                         {{"Content-Type", "application/octet-stream"}}, "alice's secret")
                .status,
            204u);
  auto victim = admin_.get("/v2/images/" + theirs);
  ASSERT_EQ(victim.status, 200u) << victim.body;
  const std::string url = victim.json()["locations"][0]["url"];
  ASSERT_EQ(url.rfind("rbd://", 0), 0u) << url;

  auto mine = bob_.post("/v2/images", kImage.dump(), json_type);
  ASSERT_EQ(mine.status, 201u) << mine.body;
  const std::string id = mine.json()["id"];
  const HeaderList patch_type = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
  for (const std::string& op : {"add", "replace"}) {
    const nlohmann::json value = {{"url", url}, {"metadata", nlohmann::json::object()}};
    const nlohmann::json change =
        op == "add"
            ? nlohmann::json::array({{{"op", "add"}, {"path", "/locations/-"}, {"value", value}}})
            : nlohmann::json::array({{{"op", "replace"},
                                      {"path", "/locations"},
                                      {"value", nlohmann::json::array({value})}}});
    auto r = bob_.request("PATCH", "/v2/images/" + id, patch_type, change.dump());
    EXPECT_EQ(r.status, 400u) << op << ": " << r.body;
    EXPECT_NE(r.body.find("Invalid location"), std::string::npos) << op << ": " << r.body;
  }
  auto after = admin_.get("/v2/images/" + id);
  ASSERT_EQ(after.status, 200u);
  EXPECT_EQ(after.json()["status"], "queued");
  EXPECT_TRUE(after.json()["locations"].empty()) << after.body;
  EXPECT_EQ(bob_.get("/v2/images/" + id + "/file").status, 204u);
  EXPECT_EQ(alice_.get("/v2/images/" + theirs + "/file").body, "alice's secret");
}

// Nova's direct snapshot: the image's own RBD data (a clone named by the image's id, with a
// protected snapshot) given to it as a location beside another. Deleting the image removes
// the data of every active location, as upstream does, not only the first's: the http one
// comes first here and is read-only, the RBD image after it goes, and its parent is free.
TEST_F(ApiRbdLocations, ANovaSnapshotsOwnRbdDataGoesWithItsImageWhateverComesFirst) {
  const HeaderList json_type = {{"Content-Type", "application/json"}};
  const HeaderList patch_type = {{"Content-Type", "application/openstack-images-v2.1-json-patch"}};
  const nlohmann::json kImage = {
      {"name", "rbd-nova-snapshot"}, {"disk_format", "raw"}, {"container_format", "bare"}};
  auto base = bob_.post("/v2/images", kImage.dump(), json_type);
  ASSERT_EQ(base.status, 201u) << base.body;
  const std::string base_id = base.json()["id"];
  ASSERT_EQ(bob_.request("PUT", "/v2/images/" + base_id + "/file",
                         {{"Content-Type", "application/octet-stream"}}, "the base image")
                .status,
            204u);
  const std::string base_url = admin_.get("/v2/images/" + base_id).json()["locations"][0]["url"];

  auto snapshot = bob_.post("/v2/images", kImage.dump(), json_type);
  ASSERT_EQ(snapshot.status, 201u) << snapshot.body;
  const std::string id = snapshot.json()["id"];
  ceph_->clone(*pool_, base_id, "snap", id);
  ceph_->protected_snapshot(*pool_, id, "snap");
  // The base's url with the snapshot's image name: rbd://<fsid>/<pool>/<image>/snap.
  std::string own_url = base_url;
  own_url.replace(own_url.rfind(base_id), base_id.size(), id);

  for (const std::string& url : {source_->url("/object"), own_url}) {
    const nlohmann::json add = nlohmann::json::array(
        {{{"op", "add"},
          {"path", "/locations/-"},
          {"value", {{"url", url}, {"metadata", nlohmann::json::object()}}}}});
    auto r = bob_.request("PATCH", "/v2/images/" + id, patch_type, add.dump());
    ASSERT_EQ(r.status, 200u) << url << ": " << r.body;
  }
  auto located = admin_.get("/v2/images/" + id);
  ASSERT_EQ(located.json()["locations"].size(), 2u) << located.body;
  ASSERT_EQ(located.json()["locations"][0]["url"], source_->url("/object")) << located.body;
  ASSERT_EQ(located.json()["locations"][1]["url"], own_url) << located.body;

  auto deleted = bob_.del("/v2/images/" + id);
  ASSERT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_EQ(ceph_->images(*pool_), std::vector<std::string>{base_id});
  EXPECT_EQ(admin_.get("/v2/images/" + id).status, 404u);
  // No clone is left of the base: it deletes (a clone would make that a 409).
  EXPECT_EQ(bob_.del("/v2/images/" + base_id).status, 204u);
  EXPECT_TRUE(ceph_->images(*pool_).empty());
}

}  // namespace
}  // namespace glance::testing
