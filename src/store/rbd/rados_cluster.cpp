#include "store/rbd/rados_cluster.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace glance::store {

using common::Error;
using common::Result;

namespace {

constexpr std::string_view kNoFsid = "00000000-0000-0000-0000-000000000000";

Result<std::string> read_fsid(rados_t cluster, int timeout) {
  char buf[64] = {};
  int r = rados_cluster_fsid(cluster, buf, sizeof buf);
  // Right after a monitor starts, a client may hold a monmap without the fsid yet. Polled, not
  // awaited with rados_wait_for_latest_osdmap, which no librados timeout bounds.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout > 0 ? timeout : 30);
  while (r >= 0 && std::string_view(buf) == kNoFsid &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = rados_cluster_fsid(cluster, buf, sizeof buf);
  }
  if (r < 0) return rados_error(r, "reading the Ceph cluster's fsid");
  if (std::string_view(buf) == kNoFsid)
    return Error::unavailable("the Ceph cluster did not report its fsid");
  return std::string(buf);
}

}  // namespace

Error rados_error(int negative_errno, const std::string& what) {
  const int e = -negative_errno;
  std::string msg = what + ": " + std::strerror(e);
  switch (e) {
    case ENOENT:
      return Error::not_found(std::move(msg));
    case EEXIST:
    case EBUSY:
      return Error::conflict(std::move(msg));
    case ENOSPC:
    case EDQUOT:
      return Error::storage_full(std::move(msg));
    case EPERM:
    case EACCES:
      return Error::bad_gateway(std::move(msg));
    case ETIMEDOUT:
    case ENOTCONN:
    case ECONNREFUSED:
    case ECONNRESET:
    case ESHUTDOWN:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EAGAIN:
    case EINTR:
    // librbd's answer when it could not take or keep an image's exclusive lock, as when the
    // OSDs stop answering mid-write.
    case EROFS:
      return Error::unavailable(std::move(msg));
    default:
      return Error::internal(std::move(msg));
  }
}

Result<std::shared_ptr<RadosCluster>> RadosCluster::connect(const RadosOptions& options) {
  rados_t handle = nullptr;
  int r = rados_create(&handle, options.user.empty() ? nullptr : options.user.c_str());
  if (r < 0) return rados_error(r, "creating a Ceph client");
  // Owns the handle from here: a failure below shuts it down.
  std::shared_ptr<RadosCluster> cluster(new RadosCluster(handle));
  r = rados_conf_read_file(handle, options.ceph_conf.empty() ? nullptr : options.ceph_conf.c_str());
  if (r < 0)
    return Error::unavailable(
        "cannot read the Ceph configuration " +
        (options.ceph_conf.empty() ? std::string("(default search path)") : options.ceph_conf) +
        ": " + std::strerror(-r));
  if (options.timeout > 0) {
    const std::string t = std::to_string(options.timeout);
    for (const char* key : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"})
      if ((r = rados_conf_set(handle, key, t.c_str())) < 0)
        return rados_error(r, std::string("setting ") + key);
  }
  if ((r = rados_connect(handle)) < 0) {
    auto e = rados_error(r, "connecting to the Ceph cluster");
    // Whatever else went wrong (no monitor in the file, none answering), Ceph is unreachable.
    if (e.code() == common::Errc::bad_gateway) return e;
    return Error::unavailable(e.message());
  }
  auto fsid = read_fsid(handle, options.timeout);
  if (!fsid) return fsid.error();
  cluster->fsid_ = std::move(*fsid);
  return cluster;
}

RadosCluster::~RadosCluster() {
  rados_shutdown(cluster_);
}

Result<std::shared_ptr<IoCtx>> IoCtx::open(std::shared_ptr<RadosCluster> cluster,
                                           const std::string& pool) {
  rados_ioctx_t io = nullptr;
  if (int r = rados_ioctx_create(cluster->handle(), pool.c_str(), &io); r < 0)
    return rados_error(r, "opening the Ceph pool " + pool);
  return std::shared_ptr<IoCtx>(new IoCtx(std::move(cluster), io, pool));
}

IoCtx::~IoCtx() {
  rados_ioctx_destroy(io_);
}

}  // namespace glance::store
