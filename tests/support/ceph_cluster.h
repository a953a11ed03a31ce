#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace glance::testing {

// Where to reach a single-node Ceph started by scripts/ceph-aio.sh: the one ctest starts once
// per run (the ceph_cluster fixture in tests/CMakeLists.txt), or a private one a test starts
// and stops itself (PrivateCephCluster). Loopback only, auth none.
struct CephCluster {
  std::string dir;
  std::string conf;  // its ceph.conf
  std::string fsid;
  std::string pool;  // an RBD pool the script made
};

// The cluster named by $GLANCE_TEST_CEPH_DIR/cluster.env, read once; safe from any test. Tests
// that use it are declared with glance_add_test(... NEEDS_CEPH ...). Throws
// std::runtime_error, which fails the calling test, when the variable is unset or the file is
// missing: a test that needs Ceph must never pass or skip without one.
const CephCluster& ceph_cluster();

// Administration through librados and librbd, as an operator's `ceph` and `rbd` (or Nova)
// would do it. Every call throws std::runtime_error on failure. Not thread-safe.
class CephAdmin {
 public:
  explicit CephAdmin(const CephCluster& cluster);
  ~CephAdmin();
  CephAdmin(const CephAdmin&) = delete;
  CephAdmin& operator=(const CephAdmin&) = delete;

  // A new pool initialised for RBD, named "<prefix>-<pid>-<n>".
  std::string create_pool(const std::string& prefix);
  void delete_pool(const std::string& pool);
  // Sets a librbd option for every image of `pool` opened from then on, as `rbd config pool
  // set POOL KEY VALUE` does.
  void set_pool_config(const std::string& pool, const std::string& key, const std::string& value);
  // The RBD images of `pool`, sorted.
  std::vector<std::string> images(const std::string& pool);
  // Clones pool/image@snapshot to pool/clone, as Nova does to boot from an image.
  void clone(const std::string& pool, const std::string& image, const std::string& snapshot,
             const std::string& clone);
  void remove_image(const std::string& pool, const std::string& image);
  // Creates and protects pool/image@snapshot, as Nova does to a direct snapshot's RBD image
  // before it gives the image that location.
  void protected_snapshot(const std::string& pool, const std::string& image,
                          const std::string& snapshot);
  bool snapshot_protected(const std::string& pool, const std::string& image,
                          const std::string& snapshot);
  std::vector<std::string> snapshots(const std::string& pool, const std::string& image);
  uint64_t image_size(const std::string& pool, const std::string& image);
  // RBD features of the image (RBD_FEATURE_* bits).
  uint64_t features(const std::string& pool, const std::string& image);

 private:
  void* cluster_;  // rados_t, kept out of this header
};

// A Ceph of its own for a test that stops or pauses it: starts scripts/ceph-aio.sh in a fresh
// directory (throws when it does not start), stops it when destroyed.
class PrivateCephCluster {
 public:
  PrivateCephCluster();
  ~PrivateCephCluster();
  const CephCluster& cluster() const { return cluster_; }
  // The OSD's pid, for SIGSTOP and SIGCONT.
  int osd_pid() const;
  // An OSD that stops answering, as one on a hung host: pauses it (SIGSTOP), and has the
  // monitor mark it down, as the other OSDs of a real cluster would report it once their
  // heartbeats go unanswered. A lone OSD paused past its placement groups' read lease and
  // never marked down may resume with some of them "laggy" for good (no lease renewal is ever
  // scheduled again; an OSD bug), every operation on their objects waiting, from any client.
  // Throws when the monitor refuses.
  void pause_osd();
  // Resumes the paused OSD, which finds itself marked down and boots again (its placement
  // groups peer anew), and returns once the monitor reports it up; throws after 60 s.
  void resume_osd();
  // An outage: stops the monitor and the OSD, then starts them again on their data (same
  // fsid, monitor port, pool and images) and returns once the pool answers. Throw when the
  // script fails.
  void stop();
  void start_again();

 private:
  CephCluster cluster_;
};

}  // namespace glance::testing
