#include "tests/support/ceph_cluster.h"

#include "tests/support/fixture_env.h"

#include <rados/librados.h>
#include <rbd/librbd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

namespace glance::testing {

namespace {

CephCluster cluster_in(const FixtureEnv& env) {
  return CephCluster{env.dir(), env.get("CEPH_CONF"), env.get("CEPH_FSID"), env.get("CEPH_POOL")};
}

void check(int r, const std::string& what) {
  if (r < 0) throw std::runtime_error(what + ": " + std::strerror(-r));
}

// An I/O context on `pool`, destroyed with the scope.
struct Io {
  Io(rados_t cluster, const std::string& pool) {
    check(rados_ioctx_create(cluster, pool.c_str(), &io), "opening pool " + pool);
  }
  ~Io() { rados_ioctx_destroy(io); }
  rados_ioctx_t io = nullptr;
};

struct Image {
  Image(rados_ioctx_t io, const std::string& name, bool writable = false) {
    check(writable ? rbd_open(io, name.c_str(), &image, nullptr)
                   : rbd_open_read_only(io, name.c_str(), &image, nullptr),
          "opening image " + name);
  }
  ~Image() { rbd_close(image); }
  rbd_image_t image = nullptr;
};

// Sends a monitor command (JSON) to the cluster of `conf` and returns its output; throws when
// it fails. A client of its own, bounded, so that it works while the OSD is paused.
std::string mon_command(const std::string& conf, const std::string& command) {
  rados_t cluster = nullptr;
  check(rados_create(&cluster, nullptr), "rados_create");
  struct Shutdown {
    rados_t c;
    ~Shutdown() { rados_shutdown(c); }
  } shutdown{cluster};
  check(rados_conf_read_file(cluster, conf.c_str()), "reading " + conf);
  check(rados_conf_set(cluster, "client_mount_timeout", "30"), "client_mount_timeout");
  check(rados_conf_set(cluster, "rados_mon_op_timeout", "30"), "rados_mon_op_timeout");
  check(rados_connect(cluster), "connecting to Ceph");
  const char* cmd[] = {command.c_str()};
  char* out = nullptr;
  char* status = nullptr;
  size_t out_len = 0;
  size_t status_len = 0;
  const int r = rados_mon_command(cluster, cmd, 1, "", 0, &out, &out_len, &status, &status_len);
  std::string output(out ? out : "", out_len);
  std::string why(status ? status : "", status_len);
  rados_buffer_free(out);
  rados_buffer_free(status);
  check(r, "monitor command " + command + " (" + why + ")");
  return output;
}

std::string script_path() {
  return std::string(GLANCE_SOURCE_DIR) + "/scripts/ceph-aio.sh";
}

}  // namespace

const CephCluster& ceph_cluster() {
  static const CephCluster cluster = [] {
    FixtureEnv env("GLANCE_TEST_CEPH_DIR", "cluster.env",
                   "run this test through ctest, which starts the Ceph cluster (declare it with "
                   "glance_add_test(... NEEDS_CEPH ...)), or point the variable at a directory "
                   "where scripts/ceph-aio.sh start has run",
                   "the Ceph cluster did not start (see the ceph_cluster_start test's output)");
    return CephCluster{env.dir(), env.get("CEPH_CONF"), env.get("CEPH_FSID"), env.get("CEPH_POOL")};
  }();
  return cluster;
}

CephAdmin::CephAdmin(const CephCluster& c) {
  rados_t cluster = nullptr;
  check(rados_create(&cluster, nullptr), "rados_create");
  cluster_ = cluster;
  check(rados_conf_read_file(cluster, c.conf.c_str()), "reading " + c.conf);
  check(rados_conf_set(cluster, "client_mount_timeout", "30"), "client_mount_timeout");
  // A cluster that stops answering fails the test's calls instead of hanging them.
  check(rados_conf_set(cluster, "rados_osd_op_timeout", "30"), "rados_osd_op_timeout");
  check(rados_conf_set(cluster, "rados_mon_op_timeout", "30"), "rados_mon_op_timeout");
  check(rados_connect(cluster), "connecting to Ceph");
}

CephAdmin::~CephAdmin() {
  rados_shutdown(static_cast<rados_t>(cluster_));
}

std::string CephAdmin::create_pool(const std::string& prefix) {
  static std::atomic<int> n{0};
  const std::string name = prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  auto cluster = static_cast<rados_t>(cluster_);
  check(rados_pool_create(cluster, name.c_str()), "creating pool " + name);
  Io io(cluster, name);
  check(rbd_pool_init(io.io, false), "initialising pool " + name + " for RBD");
  return name;
}

void CephAdmin::delete_pool(const std::string& pool) {
  check(rados_pool_delete(static_cast<rados_t>(cluster_), pool.c_str()), "deleting pool " + pool);
}

void CephAdmin::set_pool_config(const std::string& pool, const std::string& key,
                                const std::string& value) {
  Io io(static_cast<rados_t>(cluster_), pool);
  // librbd reads a pool's overrides of its options from the pool's metadata, "conf_<option>".
  check(rbd_pool_metadata_set(io.io, ("conf_" + key).c_str(), value.c_str()),
        "setting " + key + " on pool " + pool);
}

std::vector<std::string> CephAdmin::images(const std::string& pool) {
  Io io(static_cast<rados_t>(cluster_), pool);
  std::vector<rbd_image_spec_t> specs(64);
  size_t max = specs.size();
  int r;
  while ((r = rbd_list2(io.io, specs.data(), &max)) == -ERANGE) specs.resize(max);
  check(r, "listing pool " + pool);
  std::vector<std::string> names;
  for (size_t i = 0; i < max; ++i) names.emplace_back(specs[i].name);
  rbd_image_spec_list_cleanup(specs.data(), max);
  std::sort(names.begin(), names.end());
  return names;
}

void CephAdmin::clone(const std::string& pool, const std::string& image,
                      const std::string& snapshot, const std::string& clone) {
  Io io(static_cast<rados_t>(cluster_), pool);
  int order = 0;
  check(rbd_clone(io.io, image.c_str(), snapshot.c_str(), io.io, clone.c_str(),
                  RBD_FEATURE_LAYERING, &order),
        "cloning " + image + "@" + snapshot);
}

void CephAdmin::remove_image(const std::string& pool, const std::string& image) {
  Io io(static_cast<rados_t>(cluster_), pool);
  check(rbd_remove(io.io, image.c_str()), "removing " + image);
}

void CephAdmin::protected_snapshot(const std::string& pool, const std::string& image,
                                   const std::string& snapshot) {
  Io io(static_cast<rados_t>(cluster_), pool);
  Image img(io.io, image, true);
  check(rbd_snap_create(img.image, snapshot.c_str()), "snapshotting " + image);
  check(rbd_snap_protect(img.image, snapshot.c_str()), "protecting " + image + "@" + snapshot);
}

bool CephAdmin::snapshot_protected(const std::string& pool, const std::string& image,
                                   const std::string& snapshot) {
  Io io(static_cast<rados_t>(cluster_), pool);
  Image img(io.io, image);
  int is_protected = 0;
  check(rbd_snap_is_protected(img.image, snapshot.c_str(), &is_protected), "snapshot state");
  return is_protected != 0;
}

std::vector<std::string> CephAdmin::snapshots(const std::string& pool, const std::string& image) {
  Io io(static_cast<rados_t>(cluster_), pool);
  Image img(io.io, image);
  std::vector<rbd_snap_info_t> snaps(16);
  int max = static_cast<int>(snaps.size());
  int n;
  while ((n = rbd_snap_list(img.image, snaps.data(), &max)) == -ERANGE)
    snaps.resize(static_cast<size_t>(max));
  check(n, "listing snapshots");
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.emplace_back(snaps[static_cast<size_t>(i)].name);
  rbd_snap_list_end(snaps.data());
  return names;
}

uint64_t CephAdmin::image_size(const std::string& pool, const std::string& image) {
  Io io(static_cast<rados_t>(cluster_), pool);
  Image img(io.io, image);
  uint64_t size = 0;
  check(rbd_get_size(img.image, &size), "image size");
  return size;
}

uint64_t CephAdmin::features(const std::string& pool, const std::string& image) {
  Io io(static_cast<rados_t>(cluster_), pool);
  Image img(io.io, image);
  uint64_t features = 0;
  check(rbd_get_features(img.image, &features), "image features");
  return features;
}

PrivateCephCluster::PrivateCephCluster() {
  char tmpl[] = "/tmp/glance-ceph-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  const std::string dir = std::string(tmpl) + "/ceph";
  // Its OSD keeps its images across stop() and start_again().
  const std::string cmd =
      "CEPH_AIO_KEEP_DATA=1 " + script_path() + " start " + dir + " >" + tmpl + "/start.log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream log(std::string(tmpl) + "/start.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    throw std::runtime_error("a private Ceph did not start: " + text);
  }
  cluster_ = cluster_in(FixtureEnv(dir, "cluster.env", "a private Ceph wrote no cluster.env"));
}

PrivateCephCluster::~PrivateCephCluster() {
  const std::string cmd = script_path() + " stop " + cluster_.dir + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return;
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(cluster_.dir).parent_path(), ec);
}

void PrivateCephCluster::stop() {
  const std::string cmd = script_path() + " stop " + cluster_.dir + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("a private Ceph did not stop");
}

void PrivateCephCluster::start_again() {
  const std::string log = cluster_.dir + "/../again.log";
  const std::string cmd = script_path() + " again " + cluster_.dir + " >" + log + " 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    throw std::runtime_error("a private Ceph did not start again: " + text);
  }
}

int PrivateCephCluster::osd_pid() const {
  std::ifstream in(cluster_.dir + "/run/osd.0.pid");
  int pid = 0;
  if (!(in >> pid) || pid <= 0) throw std::runtime_error("no OSD pid file");
  return pid;
}

// The monitor of these clusters (auth none) now and then refuses a new client's command with
// EPERM ("wrong fsid"): each command is tried again until `deadline`.
std::string mon_command_retried(const std::string& conf, const std::string& command,
                                std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    try {
      return mon_command(conf, command);
    } catch (const std::exception&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void PrivateCephCluster::pause_osd() {
  if (::kill(osd_pid(), SIGSTOP) != 0) throw std::runtime_error("cannot pause the OSD");
  mon_command_retried(cluster_.conf, R"({"prefix": "osd down", "ids": ["0"]})",
                      std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

void PrivateCephCluster::resume_osd() {
  if (::kill(osd_pid(), SIGCONT) != 0) throw std::runtime_error("cannot resume the OSD");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string stat =
        mon_command_retried(cluster_.conf, R"({"prefix": "osd stat", "format": "json"})", deadline);
    if (stat.find("\"num_up_osds\":1") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("the resumed OSD did not come up again");
}

}  // namespace glance::testing
