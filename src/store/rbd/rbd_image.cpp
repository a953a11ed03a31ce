#include "store/rbd/rbd_image.h"

#include <rados/librados.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
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

// librbd's exclusive lock: a lock of this name on the image's header object, whose cookie
// names the holder's watch on that object ("auto <watch handle>").
constexpr const char* kExclusiveLock = "rbd_lock";

// The nonce that ends a Ceph entity address ("v1:127.0.0.1:0/3537810921"): it tells this
// client instance from any other, of this process or not.
std::string_view address_nonce(std::string_view address) {
  while (!address.empty() && address.back() == ']') address.remove_suffix(1);
  const auto slash = address.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : address.substr(slash + 1);
}

std::string own_nonce(const IoCtx& io) {
  char* addresses = nullptr;
  if (rados_getaddrs(io.cluster().handle(), &addresses) < 0 || !addresses) return {};
  std::string nonce(address_nonce(addresses));
  rados_buffer_free(addresses);
  return nonce;
}

// Whether a watch with `cookie` of this client is still registered on the image's header.
bool own_watch_alive(RbdImage& image, const std::string& nonce, uint64_t cookie) {
  std::vector<rbd_image_watcher_t> watchers(8);
  size_t max = watchers.size();
  int r;
  while ((r = rbd_watchers_list(image.handle(), watchers.data(), &max)) == -ERANGE)
    watchers.resize(max);
  if (r < 0) return true;  // cannot tell: leave the lock alone
  bool alive = false;
  for (size_t i = 0; i < max; ++i)
    alive = alive || (watchers[i].cookie == cookie && address_nonce(watchers[i].addr) == nonce);
  rbd_watchers_list_cleanup(watchers.data(), max);
  return alive;
}

// Breaks the exclusive lock on `image` when this very client holds it through a watch that is
// gone: an image it closed while Ceph could not be reached, whose unlock never arrived. librbd
// would otherwise refuse every later removal or snapshot change by this client (it will not
// break, and blocklist, a lock whose holder is itself), for as long as the process lives.
// A lock of another client, or of ours behind a live watch, is left to librbd.
void break_own_stale_lock(IoCtx& io, RbdImage& image) {
  char id[64] = {};
  if (rbd_get_id(image.handle(), id, sizeof id) < 0) return;  // an old format 1 image
  const std::string header = std::string("rbd_header.") + id;
  int exclusive = 0;
  std::string tag(64, '\0'), clients(256, '\0'), cookies(256, '\0'), addresses(256, '\0');
  size_t tag_len = tag.size(), clients_len = clients.size(), cookies_len = cookies.size(),
         addresses_len = addresses.size();
  ssize_t n;
  while ((n = rados_list_lockers(io.handle(), header.c_str(), kExclusiveLock, &exclusive,
                                 tag.data(), &tag_len, clients.data(), &clients_len, cookies.data(),
                                 &cookies_len, addresses.data(), &addresses_len)) == -ERANGE) {
    tag.resize(tag_len);
    clients.resize(clients_len);
    cookies.resize(cookies_len);
    addresses.resize(addresses_len);
  }
  // One holder at most: an exclusive lock. Each list is of NUL-terminated strings.
  if (n != 1) return;
  const std::string nonce = own_nonce(io);
  const std::string client(clients.c_str()), cookie(cookies.c_str());
  if (nonce.empty() || address_nonce(addresses.c_str()) != nonce || !cookie.starts_with("auto "))
    return;
  const uint64_t watch = std::strtoull(cookie.c_str() + 5, nullptr, 10);
  if (own_watch_alive(image, nonce, watch)) return;
  const int r =
      rados_break_lock(io.handle(), header.c_str(), kExclusiveLock, client.c_str(), cookie.c_str());
  if (r < 0 && r != -ENOENT)
    spdlog::warn("cannot break this client's stale lock on {}: {}", image_name(io, image.name()),
                 rados_error(r, "breaking the lock").message());
  else if (r == 0)
    spdlog::warn("broke this client's stale lock on {}, left by a close Ceph did not see",
                 image_name(io, image.name()));
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
    break_own_stale_lock(*io, **image);
    if (auto dropped = drop_snapshot(*io, **image, snapshot); !dropped) return dropped;
  }
  return remove_head(*io, name);
}

Result<void> remove_image_and_snapshots(const std::shared_ptr<IoCtx>& io, const std::string& name) {
  {
    auto image = RbdImage::open(io, name, "", false);
    if (!image) return image.error();
    break_own_stale_lock(*io, **image);
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
