#include "api/upload.h"

#include "api/activation_outcome.h"
#include "api/upload_lease.h"
#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::ImageFields;
using common::ImageStatus;
using common::Result;

namespace {

// Large enough that hashing and write(2) dominate the per-chunk overhead, small enough that
// a thousand concurrent uploads fit in memory.
constexpr size_t kChunkBytes = 1 << 20;

Error size_cap_error(uint64_t cap) {
  return Error::payload_too_large("Denying attempt to upload image larger than " +
                                  std::to_string(cap) + " bytes.");
}

// The one failure path after the image turned saving (style §2): drop the data, kill the
// image, answer the original error.
net::awaitable<Error> abandon_upload(RegistryClient& registry, store::Store& store,
                                     const Caller& caller, const std::string& id, const Error& why,
                                     const std::optional<store::Location>& stored) {
  if (stored) {
    if (auto r = co_await store.remove(*stored); !r && r.error().code() != Errc::not_found)
      spdlog::error("{} could not remove data of image {} at {}: {}", caller.request_id, id,
                    common::redact_credentials(stored->uri), r.error().message());
  }
  ImageFields kill;
  kill.status = ImageStatus::killed;
  // Compare-and-set: an image deleted or activated meanwhile keeps its status.
  auto killed = co_await registry.update(caller, id, kill, false, ImageStatus::saving);
  if (!killed)
    spdlog::warn("{} could not mark image {} killed: {}", caller.request_id, id,
                 killed.error().message());
  else
    spdlog::warn("{} upload of image {} failed, image killed: {}", caller.request_id, id,
                 why.message());
  co_return why;
}

// Two buffers: the writer may still be hashing one while the next is received. They must
// outlive the writer, which may read the last one until it is destroyed. Each is allocated
// when the body first has bytes for it, so an upload whose client sends nothing holds none.
using ChunkBuffers = std::array<std::vector<char>, 2>;

// Fills `chunk` from the body: socket reads return a few KiB each, and handing the store
// whole chunks keeps its per-write costs (a thread hand-off, a write(2)) rare.
net::awaitable<Result<size_t>> fill(common::http::BodyReader& body, std::vector<char>& chunk) {
  size_t filled = 0;
  if (chunk.empty()) {
    std::array<char, 4096> first;
    auto n = co_await body.read_some(first);
    if (!n) co_return n.error();
    if (*n == 0) co_return size_t{0};
    chunk.resize(kChunkBytes);
    std::copy_n(first.data(), *n, chunk.data());
    filled = *n;
  }
  while (filled < chunk.size()) {
    auto n = co_await body.read_some(std::span<char>(chunk.data() + filled, chunk.size() - filled));
    if (!n) co_return n.error();
    if (*n == 0) break;
    filled += *n;
  }
  co_return filled;
}

// Reads the whole body into the writer. Returns what the store recorded.
// How many bytes a body may have, and what passing that answers.
struct ByteLimit {
  uint64_t bytes;
  Error exceeded;
};

net::awaitable<Result<store::StoredImage>> stream_body(common::http::BodyReader& body,
                                                       store::ImageWriter& writer,
                                                       ChunkBuffers& buffers,
                                                       const ByteLimit& limit) {
  uint64_t total = 0;
  for (int turn = 0;; turn ^= 1) {
    auto& chunk = buffers[turn];
    auto n = co_await fill(body, chunk);
    if (!n) co_return n.error();
    total += *n;
    if (total > limit.bytes) co_return limit.exceeded;
    if (*n > 0) {
      auto w = co_await writer.write(std::span<const char>(chunk.data(), *n));
      if (!w) co_return w.error();
    }
    if (*n < kChunkBytes) break;
  }
  co_return co_await writer.commit();
}

Error quota_error(uint64_t quota, uint64_t used, uint64_t size) {
  return Error::payload_too_large(
      "Denying attempt to upload image because it exceeds the quota: The size of the data " +
      std::to_string(size) + " will exceed the limit. " +
      std::to_string(quota - std::min(quota, used)) + " bytes remaining.");
}

// The owner whose user_storage_quota an upload uses: an ownerless image counts for the
// caller's tenant, as upstream.
std::optional<std::string> quota_owner(const Caller& caller, const Image& image) {
  return image.owner ? image.owner : caller.context.owner();
}

// Reserves `size` bytes of the owner's quota for the saving image in the registry, which
// counts saving images, so concurrent uploads cannot together pass the quota.
net::awaitable<std::optional<Error>> reserve_quota(RegistryClient& registry, const Caller& caller,
                                                   const Image& image, uint64_t size,
                                                   const UploadLimits& limits) {
  if (limits.user_storage_quota == 0 || !quota_owner(caller, image)) co_return std::nullopt;
  uint64_t quota = limits.user_storage_quota;
  auto held = co_await registry.reserve_storage(caller, image.id, static_cast<int64_t>(size),
                                                static_cast<int64_t>(quota));
  if (!held) co_return held.error();
  if (held->reserved) co_return std::nullopt;
  co_return quota_error(quota, static_cast<uint64_t>(held->usage), size);
}

// The body limit for this upload: the size cap, or less when the owner's storage quota
// leaves less room. A declared size is reserved at once; fails when it
// does not fit.
net::awaitable<Result<ByteLimit>> upload_limit(RegistryClient& registry, const Caller& caller,
                                               const Image& image, const UploadLimits& limits) {
  ByteLimit cap{limits.image_size_cap, size_cap_error(limits.image_size_cap)};
  auto owner = quota_owner(caller, image);
  if (limits.user_storage_quota == 0 || !owner) co_return cap;
  uint64_t declared = static_cast<uint64_t>(image.size.value_or(0));
  if (declared > 0)
    if (auto over = co_await reserve_quota(registry, caller, image, declared, limits))
      co_return *over;
  auto used = co_await registry.storage_usage(caller, *owner, image.id);
  if (!used) co_return used.error();
  uint64_t quota = limits.user_storage_quota;
  uint64_t remaining = quota - std::min<uint64_t>(quota, static_cast<uint64_t>(*used));
  if (declared > remaining) co_return quota_error(quota, static_cast<uint64_t>(*used), declared);
  if (remaining < cap.bytes)
    cap = {remaining, quota_error(quota, static_cast<uint64_t>(*used), remaining + 1)};
  co_return cap;
}

std::optional<Error> mismatch(const Image& image, const store::StoredImage& stored) {
  auto describe = [](const char* attr, const std::string& supplied, const std::string& actual) {
    return Error::bad_request(std::string("Supplied ") + attr + " (" + supplied + ") and " + attr +
                              " generated from uploaded image (" + actual +
                              ") did not match. Setting image status to 'killed'.");
  };
  int64_t declared = image.size.value_or(0);
  if (declared != 0 && static_cast<uint64_t>(declared) != stored.size)
    return describe("size", std::to_string(declared), std::to_string(stored.size));
  if (image.checksum && !image.checksum->empty() && *image.checksum != stored.checksum)
    return describe("checksum", *image.checksum, stored.checksum);
  return std::nullopt;
}

// The activation lost its compare-and-set: tell a deleted image (412) from a concurrent
// upload (409). A 404 means the caller can no longer see it: deleted too.
net::awaitable<Error> lost_activation(RegistryClient& registry, const Caller& caller,
                                      const std::string& id, const Error& why) {
  if (why.code() != Errc::conflict && why.code() != Errc::not_found) co_return why;
  auto now = co_await registry.get(caller, id);
  if (!now || common::is_deleted_status(now->status))
    co_return Error::precondition_failed("Image " + id +
                                         " could not be found after upload. The image may have "
                                         "been deleted during the upload.");
  co_return Error::conflict("Image operation conflicts");
}

}  // namespace

net::awaitable<Result<Image>> upload_image_data(RegistryClient& registry, store::Store& store,
                                                const Caller& caller, const Image& image,
                                                common::http::BodyReader& body,
                                                const UploadLimits& limits) {
  ImageFields saving;
  saving.status = ImageStatus::saving;
  // Unconditional, as upstream: two uploads may race to saving; the first to activate wins.
  auto saved = co_await registry.update(caller, image.id, saving, false, std::nullopt);
  if (!saved) co_return saved.error();
  auto lease = co_await UploadLease::start(registry, caller, image.id, limits.lease_interval);

  const std::optional<store::Location> nothing_stored;
  auto limit = co_await upload_limit(registry, caller, image, limits);
  if (!limit)
    co_return co_await abandon_upload(registry, store, caller, image.id, limit.error(),
                                      nothing_stored);
  ChunkBuffers buffers;
  auto writer = co_await store.begin_add(image.id, static_cast<uint64_t>(image.size.value_or(0)));
  if (!writer) {
    // Another upload holds the data: leave the image to it.
    if (writer.error().code() == Errc::conflict) co_return writer.error();
    co_return co_await abandon_upload(registry, store, caller, image.id, writer.error(),
                                      nothing_stored);
  }
  auto stored = co_await stream_body(body, **writer, buffers, *limit);
  if (!stored) co_await (*writer)->abort();
  writer->reset();
  if (!stored) {
    if (stored.error().code() == Errc::conflict) co_return stored.error();
    co_return co_await abandon_upload(registry, store, caller, image.id, stored.error(),
                                      nothing_stored);
  }
  if (auto bad = mismatch(image, *stored))
    co_return co_await abandon_upload(registry, store, caller, image.id, *bad, stored->location);
  // The stored size replaces the reservation: it holds under concurrent uploads only if it
  // is counted before this image turns active.
  if (auto over = co_await reserve_quota(registry, caller, image, stored->size, limits))
    co_return co_await abandon_upload(registry, store, caller, image.id, *over, stored->location);

  ImageFields active;
  active.status = ImageStatus::active;
  active.size = static_cast<int64_t>(stored->size);
  active.checksum = stored->checksum;
  active.os_hash_algo = std::string("sha256");
  active.os_hash_value = stored->sha256;
  active.locations =
      std::vector<common::ImageLocation>{common::ImageLocation{std::nullopt, stored->location.uri}};
  auto done = co_await registry.update(caller, image.id, active, false, ImageStatus::saving);
  if (done) co_return std::move(*done);
  if (activation_outcome_unknown(done.error()))
    co_return co_await settle_unknown_activation(registry, store, caller, image.id, *stored,
                                                 done.error());
  auto why = co_await lost_activation(registry, caller, image.id, done.error());
  co_return co_await abandon_upload(registry, store, caller, image.id, why, stored->location);
}

}  // namespace glance::api
