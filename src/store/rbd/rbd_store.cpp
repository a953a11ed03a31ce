#include "store/rbd/rbd_store.h"

#include "store/rbd/rbd_image.h"
#include "store/rbd/rbd_reader.h"
#include "store/rbd/rbd_writer.h"
#include "store/upload_name.h"

#include <spdlog/spdlog.h>

#include "common/image_id.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <set>

namespace glance::store {

using common::Error;
using common::Result;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;
// Object sizes RBD accepts are 4 KiB to 32 MiB; the option counts MiB.
constexpr int64_t kMaxChunkMiB = 32;
// Bytes a download reads from Ceph at a time; it holds two.
constexpr size_t kReadChunk = 4 * kMiB;
// How long a failed upload's image is retried for removal while Ceph is unreachable.
constexpr std::chrono::seconds kRetryRemovalFor{600};

// Image ids become RBD image names: refuse what librbd or a location could not carry.
bool is_safe_name(const std::string& id) {
  return !id.empty() && id.size() <= 200 && id.find_first_of("/@") == std::string::npos &&
         id.find('\0') == std::string::npos && id.front() != '.';
}

uint64_t features_for(rados_t cluster) {
  // As upstream: the cluster's rbd_default_features, or layering alone when it names none;
  // layering in any case, since clones need it.
  char text[32] = {};
  uint64_t features = 0;
  if (rados_conf_get(cluster, "rbd_default_features", text, sizeof text) == 0)
    features = std::strtoull(text, nullptr, 10);
  return features | RBD_FEATURE_LAYERING;
}

}  // namespace

RbdStore::RbdStore(const RbdStoreConfig& config, BlockingPool& pool)
    : config_(config),
      pool_(pool),
      removals_(std::make_shared<PendingRemovals>(pool, kRetryRemovalFor)) {}

RbdStore::~RbdStore() {
  removals_->stop();
}

Result<std::unique_ptr<RbdStore>> RbdStore::create(const RbdStoreConfig& config,
                                                   BlockingPool& pool) {
  if (config.rbd_store_pool.empty())
    return Error::bad_request("[glance_store] rbd_store_pool must be set for the rbd store");
  if (config.rbd_store_chunk_size < 1 || config.rbd_store_chunk_size > kMaxChunkMiB)
    return Error::bad_request("[glance_store] rbd_store_chunk_size must be 1 to " +
                              std::to_string(kMaxChunkMiB) + " (MiB)");
  return std::unique_ptr<RbdStore>(new RbdStore(config, pool));
}

std::chrono::seconds RbdStore::op_timeout() const {
  const int64_t timeout = config_.rados_connect_timeout > 0 ? config_.rados_connect_timeout
                                                            : config_.rbd_store_op_timeout;
  return std::chrono::seconds(std::clamp<int64_t>(timeout, 0, INT32_MAX));
}

Result<std::shared_ptr<RadosCluster>> RbdStore::cluster() {
  std::lock_guard lock(connect_mutex_);
  if (cluster_) return cluster_;
  RadosOptions options{config_.rbd_store_ceph_conf, config_.rbd_store_user,
                       static_cast<int>(op_timeout().count())};
  auto connected = RadosCluster::connect(options);
  if (!connected) return connected.error();
  cluster_ = std::move(*connected);
  return cluster_;
}

Result<std::shared_ptr<IoCtx>> RbdStore::io(const std::string& pool_name) {
  auto c = cluster();
  if (!c) return c.error();
  return IoCtx::open(std::move(*c), pool_name.empty() ? config_.rbd_store_pool : pool_name);
}

Result<RbdStore::Target> RbdStore::target_of(const Location& where) const {
  auto location = RbdLocation::parse(where.uri);
  if (!location) return location.error();
  return Target{location->pool.empty() ? config_.rbd_store_pool : location->pool,
                std::move(location->image), std::move(location->snapshot)};
}

Task<std::unique_ptr<ImageWriter>> RbdStore::begin_add(const std::string& id,
                                                       uint64_t declared_size) {
  if (!is_safe_name(id)) co_return Error::bad_request("Invalid image id for the rbd store: " + id);
  // The object size, as upstream's order: log2 of the chunk size, rounded down.
  const int order = std::bit_width(static_cast<uint64_t>(config_.rbd_store_chunk_size) * kMiB) - 1;
  struct Opened {
    std::unique_ptr<RbdImage> image;
    std::shared_ptr<IoCtx> io;
  };
  auto opened = co_await pool_.run([this, id, declared_size, order]() -> Result<Opened> {
    auto ctx = io("");
    if (!ctx) return ctx.error();
    rbd_image_t existing = nullptr;
    int r = rbd_open_read_only((*ctx)->handle(), id.c_str(), &existing, nullptr);
    if (r == 0) {
      rbd_close(existing);
      return Error::conflict("Attempt to upload duplicate image: " + id);
    }
    if (r != -ENOENT)
      return rados_error(r, "checking for RBD image " + config_.rbd_store_pool + "/" + id);
    const std::string name = upload_name(id);
    int object_order = order;
    r = rbd_create2((*ctx)->handle(), name.c_str(), declared_size,
                    features_for((*ctx)->cluster().handle()), &object_order);
    if (r < 0) return rados_error(r, "creating RBD image " + config_.rbd_store_pool + "/" + name);
    auto image = RbdImage::open(*ctx, name, "", false);
    if (!image) {
      PendingRemovals::remove_or_queue(removals_, *ctx, name);
      return image.error();
    }
    return Opened{std::move(*image), std::move(*ctx)};
  });
  if (!opened) co_return opened.error();
  RbdUpload upload{id, declared_size, static_cast<uint64_t>(1) << order, op_timeout()};
  co_return make_rbd_writer(std::move(opened->image), std::move(opened->io), std::move(upload),
                            pool_, removals_);
}

Task<std::unique_ptr<ImageReader>> RbdStore::open(const Location& where,
                                                  const ReadOptions& options) {
  auto target = target_of(where);
  if (!target) co_return target.error();
  auto opened = co_await pool_.run(
      [this, t = *target]() -> Result<std::pair<std::unique_ptr<RbdImage>, uint64_t>> {
        auto ctx = io(t.pool);
        if (!ctx) return ctx.error();
        auto image = RbdImage::open(*ctx, t.image, t.snapshot, true);
        if (!image) return image.error();
        auto size = (*image)->size();
        if (!size) return size.error();
        return std::pair{std::move(*image), *size};
      });
  if (!opened) co_return opened.error();
  auto& [image, size] = *opened;
  uint64_t offset = 0;
  uint64_t length = size;
  if (options.span) {
    if (options.span->offset > size || options.span->length > size - options.span->offset) {
      close_on_pool(pool_, std::move(image));
      co_return Error::bad_request("the range lies outside the RBD image");
    }
    offset = options.span->offset;
    length = options.span->length;
  }
  co_return make_rbd_reader(std::move(image), offset, length, kReadChunk, pool_);
}

Task<uint64_t> RbdStore::size(const Location& where, const ReadOptions&) {
  auto target = target_of(where);
  if (!target) co_return target.error();
  co_return co_await pool_.run([this, t = *target]() -> Result<uint64_t> {
    auto ctx = io(t.pool);
    if (!ctx) return ctx.error();
    auto image = RbdImage::open(*ctx, t.image, t.snapshot, true);
    if (!image) return image.error();
    return (*image)->size();
  });
}

Task<void> RbdStore::remove(const Location& where) {
  auto target = target_of(where);
  if (!target) co_return target.error();
  co_return co_await pool_.run([this, t = *target]() -> Result<void> {
    auto ctx = io(t.pool);
    if (!ctx) return ctx.error();
    return remove_image(*ctx, t.image, t.snapshot);
  });
}

Task<void> RbdStore::remove_leftovers(const std::string& id, const std::optional<Location>& keep) {
  if (!is_safe_name(id)) co_return Error::bad_request("Invalid image id for the rbd store: " + id);
  std::string kept;
  if (keep) {
    auto target = target_of(*keep);
    if (!target) co_return target.error();
    if (target->pool == config_.rbd_store_pool) kept = target->image;
  }
  co_return co_await pool_.run([this, id, kept]() -> Result<void> {
    auto ctx = io("");
    if (!ctx) return ctx.error();
    auto names = list_images(**ctx);
    if (!names) return names.error();
    for (const auto& name : *names) {
      if (!is_upload_name(name, id) || name == kept) continue;
      spdlog::warn("removing RBD image {}/{}, left by an upload of image {}",
                   config_.rbd_store_pool, name, id);
      auto removed = remove_image_and_snapshots(*ctx, name);
      if (!removed && removed.error().code() != common::Errc::not_found)
        spdlog::warn("cannot remove RBD image {}/{}: {}", config_.rbd_store_pool, name,
                     removed.error().message());
    }
    return Result<void>();
  });
}

Task<std::vector<std::string>> RbdStore::image_ids_with_data() {
  co_return co_await pool_.run([this]() -> Result<std::vector<std::string>> {
    auto ctx = io("");
    if (!ctx) return ctx.error();
    auto names = list_images(**ctx);
    if (!names) return names.error();
    std::set<std::string> ids;
    for (const auto& name : *names) {
      // Other services sharing the pool name theirs "volume-<uuid>", "<uuid>_disk" and so on:
      // only a UUID-like id qualifies. A committed "<uuid>" ends in 12 hex digits, as an
      // upload's tag does, so it is taken whole first.
      if (common::is_uuid_like(name))
        ids.emplace(name);
      else if (auto id = upload_name_id(name); id && common::is_uuid_like(*id))
        ids.emplace(*id);
    }
    return std::vector<std::string>(ids.begin(), ids.end());
  });
}

}  // namespace glance::store
