#pragma once

#include "common/error.h"

#include <rados/librados.h>

#include <memory>
#include <string>

namespace glance::store {

// How the rbd store reaches Ceph ([glance_store] rbd_store_*; see rbd_driver.h).
struct RadosOptions {
  std::string ceph_conf;  // rbd_store_ceph_conf; empty: librados's search path
  std::string user;       // rbd_store_user without "client."; empty: librados's default
  // Seconds for connecting and for each monitor and OSD operation (rados_connect_timeout or
  // rbd_store_op_timeout); <= 0: librados's defaults (300 s to connect, operations unbounded).
  int timeout = 0;
};

// One connection to a Ceph cluster (a librados handle) and the fsid it reported. librados is
// thread-safe: every pool thread of the store shares one. Every call blocks: run them on a
// BlockingPool. Destroying it shuts the handle down, so whatever uses it (an IoCtx, an open
// image) holds a shared_ptr to it.
class RadosCluster {
 public:
  // Connects, bounded by `timeout` when it is positive (which also bounds every later
  // monitor and OSD operation, so a stopped cluster fails calls instead of hanging them).
  static common::Result<std::shared_ptr<RadosCluster>> connect(const RadosOptions& options);
  ~RadosCluster();
  RadosCluster(const RadosCluster&) = delete;
  RadosCluster& operator=(const RadosCluster&) = delete;

  rados_t handle() const { return cluster_; }
  const std::string& fsid() const { return fsid_; }

 private:
  explicit RadosCluster(rados_t cluster) : cluster_(cluster) {}
  rados_t cluster_;
  std::string fsid_;
};

// An I/O context on one pool; keeps its cluster alive, and is kept alive by the images opened
// in it.
class IoCtx {
 public:
  // not_found when the pool does not exist.
  static common::Result<std::shared_ptr<IoCtx>> open(std::shared_ptr<RadosCluster> cluster,
                                                     const std::string& pool);
  ~IoCtx();
  IoCtx(const IoCtx&) = delete;
  IoCtx& operator=(const IoCtx&) = delete;

  rados_ioctx_t handle() const { return io_; }
  const std::string& pool() const { return pool_; }
  const RadosCluster& cluster() const { return *cluster_; }

 private:
  IoCtx(std::shared_ptr<RadosCluster> cluster, rados_ioctx_t io, std::string pool)
      : cluster_(std::move(cluster)), io_(io), pool_(std::move(pool)) {}
  std::shared_ptr<RadosCluster> cluster_;
  rados_ioctx_t io_;
  std::string pool_;
};

// The Error for a negative errno a librados or librbd call returned while doing `what`:
// ENOENT not_found, EEXIST and EBUSY conflict (EBUSY: the image or snapshot is in use, as
// upstream's InUseByStore), ENOSPC and EDQUOT storage_full, EPERM and EACCES bad_gateway
// (Ceph refused our credentials), timeouts, lost connections and EROFS (librbd lost the
// image's exclusive lock) unavailable, the rest internal.
common::Error rados_error(int negative_errno, const std::string& what);

}  // namespace glance::store
