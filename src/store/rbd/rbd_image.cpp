#include "store/rbd/rbd_image.h"

#include <cerrno>
#include <vector>

namespace glance::store {

using common::Error;
using common::Result;

namespace {

std::string image_name(const IoCtx& io, const std::string& name) {
  return "RBD image " + io.pool() + "/" + name;
}

Error in_use(const IoCtx& io, const std::string& name, const std::string& why) {
  return Error::conflict("Image " + image_name(io, name) + " is in use: " + why);
}

// Unprotects and removes one snapshot of an open image.
Result<void> drop_snapshot(IoCtx& io, RbdImage& image, const std::string& snapshot) {
  const std::string what = image_name(io, image.name()) + "@" + snapshot;
  int r = rbd_snap_unprotect(image.handle(), snapshot.c_str());
  // EINVAL: it was not protected (a snapshot made by hand, or an unprotect already done).
  if (r == -EBUSY) return in_use(io, image.name(), "the snapshot " + snapshot + " has clones");
  if (r < 0 && r != -EINVAL && r != -ENOENT) return rados_error(r, "unprotecting " + what);
  r = rbd_snap_remove(image.handle(), snapshot.c_str());
  if (r == -EBUSY) return in_use(io, image.name(), "the snapshot " + snapshot + " has clones");
  if (r < 0 && r != -ENOENT) return rados_error(r, "removing " + what);
  return Result<void>();
}

Result<void> remove_head(IoCtx& io, const std::string& name) {
  int r = rbd_remove(io.handle(), name.c_str());
  if (r == -ENOTEMPTY) {
    // Snapshots someone else made: upstream moves the image to the trash rather than fail.
    r = rbd_trash_move(io.handle(), name.c_str(), 0);
    if (r == -EBUSY) return in_use(io, name, "it is open elsewhere");
    if (r < 0) return rados_error(r, "moving " + image_name(io, name) + " to the trash");
    return Result<void>();
  }
  if (r == -EBUSY) return in_use(io, name, "it is open elsewhere or has clones");
  if (r < 0) return rados_error(r, "removing " + image_name(io, name));
  return Result<void>();
}

}  // namespace

Result<std::unique_ptr<RbdImage>> RbdImage::open(std::shared_ptr<IoCtx> io, const std::string& name,
                                                 const std::string& snapshot, bool read_only) {
  rbd_image_t image = nullptr;
  const char* snap = snapshot.empty() ? nullptr : snapshot.c_str();
  int r = read_only ? rbd_open_read_only(io->handle(), name.c_str(), &image, snap)
                    : rbd_open(io->handle(), name.c_str(), &image, snap);
  if (r < 0)
    return rados_error(r, "opening " + image_name(*io, name) +
                              (snapshot.empty() ? std::string() : "@" + snapshot));
  return std::unique_ptr<RbdImage>(new RbdImage(std::move(io), image, name));
}

Result<uint64_t> RbdImage::size() const {
  uint64_t size = 0;
  if (int r = rbd_get_size(image_, &size); r < 0)
    return rados_error(r, "reading the size of " + image_name(*io_, name_));
  return size;
}

void close_on_pool(BlockingPool& pool, std::unique_ptr<RbdImage> image) {
  if (!image) return;
  // std::function wants a copyable callable.
  std::shared_ptr<RbdImage> shared(std::move(image));
  pool.post([shared]() mutable { shared.reset(); });
}

Result<void> remove_image(const std::shared_ptr<IoCtx>& io, const std::string& name,
                          const std::string& snapshot) {
  // Closed before the removal: librbd refuses to remove an image that has watchers, ours too.
  if (!snapshot.empty()) {
    auto image = RbdImage::open(io, name, "", false);
    if (!image) return image.error();
    if (auto dropped = drop_snapshot(*io, **image, snapshot); !dropped) return dropped;
  }
  return remove_head(*io, name);
}

Result<void> remove_image_and_snapshots(const std::shared_ptr<IoCtx>& io, const std::string& name) {
  {
    auto image = RbdImage::open(io, name, "", false);
    if (!image) return image.error();
    std::vector<rbd_snap_info_t> snaps(8);
    int max = static_cast<int>(snaps.size());
    int n;
    while ((n = rbd_snap_list((*image)->handle(), snaps.data(), &max)) == -ERANGE)
      snaps.resize(static_cast<size_t>(max));
    if (n < 0) return rados_error(n, "listing the snapshots of " + image_name(*io, name));
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.emplace_back(snaps[static_cast<size_t>(i)].name);
    rbd_snap_list_end(snaps.data());
    for (const auto& snapshot : names)
      if (auto dropped = drop_snapshot(*io, **image, snapshot); !dropped) return dropped;
  }
  return remove_head(*io, name);
}

Result<std::vector<std::string>> list_images(IoCtx& io) {
  std::vector<rbd_image_spec_t> specs(64);
  size_t max = specs.size();
  int r;
  while ((r = rbd_list2(io.handle(), specs.data(), &max)) == -ERANGE) specs.resize(max);
  if (r < 0) return rados_error(r, "listing the RBD images of pool " + io.pool());
  std::vector<std::string> names;
  for (size_t i = 0; i < max; ++i) names.emplace_back(specs[i].name);
  rbd_image_spec_list_cleanup(specs.data(), max);
  return names;
}

}  // namespace glance::store
