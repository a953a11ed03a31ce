// The rbd store's own cases against the real Ceph of the test harness: what upstream writes
// (location, protected snapshot, layering), what Nova's clones do to a delete, growth of images
// of unknown size, ranges across objects and read chunks, and what failed uploads leave; and,
// on a Ceph of the test's own whose OSD is paused mid-upload, uploads whose writes time out.

#include "store/rbd/rbd_store.h"
#include "common/hex_digest.h"
#include "tests/support/ceph_cluster.h"
#include "tests/support/cluster_stores.h"
#include "tests/support/eventually.h"
#include "tests/support/store_io.h"

#include <gtest/gtest.h>
#include <rbd/librbd.h>
#include <boost/asio/io_context.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
using common::Result;
using glance::testing::add_in_chunks;
using glance::testing::random_bytes;
using glance::testing::read_image;

class RbdStoreTest : public ::testing::Test {
 protected:
  static glance::testing::CephAdmin& admin() {
    static glance::testing::CephAdmin admin(glance::testing::ceph_cluster());
    return admin;
  }
  void SetUp() override {
    RbdStoreConfig c;
    c.rbd_store_ceph_conf = glance::testing::ceph_cluster().conf;
    c.rbd_store_pool = pool_ = admin().create_pool("rbd-store");
    c.rbd_store_chunk_size = 1;
    c.rados_connect_timeout = 60;
    auto store = RbdStore::create(c, glance::testing::store_pool());
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    admin().delete_pool(pool_);
  }
  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }
  StoredImage add(const std::string& id, const std::string& data, uint64_t declared = 0) {
    auto stored = await(add_in_chunks(*store_, id, data, declared));
    if (!stored) throw std::runtime_error(stored.error().message());
    return *stored;
  }
  std::vector<std::string> images() { return admin().images(pool_); }

  net::io_context ioc_;
  std::string pool_;
  std::unique_ptr<RbdStore> store_;
};

const std::string kId = "0bd1c6f4-8c8a-4a2b-9a0e-0f1e2d3c4b5a";

TEST_F(RbdStoreTest, WritesUpstreamsLocationWithAProtectedSnapshotOnALayeredImage) {
  const std::string data = random_bytes(2500000, 1);
  auto stored = add(kId, data, data.size());
  EXPECT_EQ(stored.location.uri,
            "rbd://" + glance::testing::ceph_cluster().fsid + "/" + pool_ + "/" + kId + "/snap");
  EXPECT_EQ(images(), std::vector<std::string>{kId});
  EXPECT_EQ(admin().snapshots(pool_, kId), std::vector<std::string>{"snap"});
  EXPECT_TRUE(admin().snapshot_protected(pool_, kId, "snap"));
  EXPECT_NE(admin().features(pool_, kId) & RBD_FEATURE_LAYERING, 0u);
  EXPECT_EQ(admin().image_size(pool_, kId), data.size());
  auto back = await(read_image(*store_, stored.location, {}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
}

TEST_F(RbdStoreTest, AClonedSnapshotMakesDeleteAConflictAndKeepsEverything) {
  const std::string data = random_bytes(300000, 2);
  auto stored = add(kId, data);
  admin().clone(pool_, kId, "snap", "instance-disk");
  auto removed = await(store_->remove(stored.location));
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), Errc::conflict) << removed.error().message();
  EXPECT_TRUE(admin().snapshot_protected(pool_, kId, "snap"));
  auto back = await(read_image(*store_, stored.location, {}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  // Once the clone is gone (the instance deleted), so can the image be.
  admin().remove_image(pool_, "instance-disk");
  auto again = await(store_->remove(stored.location));
  EXPECT_TRUE(again) << again.error().message();
  EXPECT_TRUE(images().empty());
}

TEST_F(RbdStoreTest, UnknownSizeGrowsAsItGoesAndEndsAtTheBytesWritten) {
  // 1 MiB objects: the image grows in steps of 2, 4 and 8 MiB past them.
  const std::string data = random_bytes((9 << 20) + 12345, 3);
  auto stored = add(kId, data, 0);
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  EXPECT_EQ(admin().image_size(pool_, kId), data.size());
  auto back = await(read_image(*store_, stored.location, {}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
}

TEST_F(RbdStoreTest, RangesAcrossObjectsAndReadChunks) {
  const std::string data = random_bytes(10 << 20, 4);
  auto stored = add(kId, data, data.size());
  // Across a 1 MiB object boundary; then 6 MiB across the 4 MiB read chunks.
  for (auto [offset, length] : {std::pair<uint64_t, uint64_t>{(1 << 20) - 10, 20},
                                {(3 << 20) + 7, 6 << 20},
                                {data.size() - 1, 1}}) {
    ReadOptions options;
    options.span = ByteSpan{offset, length};
    auto part = await(read_image(*store_, stored.location, options));
    ASSERT_TRUE(part) << part.error().message();
    EXPECT_TRUE(*part == data.substr(offset, length)) << offset << "+" << length;
  }
}

TEST_F(RbdStoreTest, SizeMismatchLeavesNoImage) {
  auto writer = await(store_->begin_add(kId, 1000));
  ASSERT_TRUE(writer) << writer.error().message();
  const std::string half(500, 'x');
  ASSERT_TRUE(await((*writer)->write(half)));
  auto committed = await((*writer)->commit());
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code(), Errc::bad_request);
  EXPECT_TRUE(images().empty());
  // More than declared is refused at the write that passes it.
  auto over = await(store_->begin_add(kId, 10));
  ASSERT_TRUE(over) << over.error().message();
  auto written = await((*over)->write(half));
  EXPECT_FALSE(written);
  glance::testing::await(ioc_, (*over)->abort());
  EXPECT_TRUE(images().empty());
}

TEST_F(RbdStoreTest, AWriterDroppedMidUploadLeavesNoImage) {
  const std::string data = random_bytes(3 << 20, 5);
  {
    auto writer = await(store_->begin_add(kId, 0));
    ASSERT_TRUE(writer) << writer.error().message();
    ASSERT_TRUE(await((*writer)->write({data.data(), 1 << 20})));
    EXPECT_EQ(images().size(), 1u);
  }  // as when the client hangs up and nobody calls abort()
  EXPECT_TRUE(glance::testing::eventually([&] { return images().empty(); }));
  EXPECT_TRUE(images().empty());
  // The id is free again.
  add(kId, data);
}

// What the orphan reaper looks at: the images named by a Glance image's id, committed ("<id>")
// or of uploads ("<id>-<tag>", running or left behind), by that id; never another service's
// image in the same pool ("volume-<uuid>", a Cinder volume; "<uuid>_disk", a Nova disk).
TEST_F(RbdStoreTest, ImageIdsWithDataNameCommittedAndUploadedImagesOnly) {
  const std::string data = random_bytes(200000, 9);
  add(kId, data);
  const std::string other = "5d0c3f7a-2b1e-4c9d-8e7f-6a5b4c3d2e1f";
  admin().clone(pool_, kId, "snap", "volume-" + other);
  admin().clone(pool_, kId, "snap", other + "_disk");
  const std::string running = "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";
  auto writer = await(store_->begin_add(running, 0));
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE(await((*writer)->write({data.data(), data.size()})));
  auto ids = await(store_->image_ids_with_data());
  ASSERT_TRUE(ids) << ids.error().message();
  std::vector<std::string> both{kId, running};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(*ids, both);
  // The running upload's image is open: removing its leftovers leaves it, and its exclusive
  // lock, which this client holds through a live watch, to the upload, which still commits.
  EXPECT_TRUE(await(store_->remove_leftovers(running, std::nullopt)));
  EXPECT_EQ(images().size(), 4u);
  auto stored = await((*writer)->commit());
  ASSERT_TRUE(stored) << stored.error().message();
  ids = await(store_->image_ids_with_data());
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(*ids, both);
  admin().remove_image(pool_, "volume-" + other);
  admin().remove_image(pool_, other + "_disk");
}

TEST_F(RbdStoreTest, ReadsTheOldImageOnlyLocationFromTheConfiguredPool) {
  const std::string data = random_bytes(70000, 6);
  add(kId, data);
  auto back = await(read_image(*store_, Location{"rbd://" + kId}, {}));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  auto size = await(store_->size(Location{"rbd://" + kId}, {}));
  ASSERT_TRUE(size) << size.error().message();
  EXPECT_EQ(*size, data.size());
}

TEST_F(RbdStoreTest, MissingImagePoolOrSnapshotIsNotFound) {
  const auto& fsid = glance::testing::ceph_cluster().fsid;
  for (const std::string& uri : {"rbd://" + fsid + "/" + pool_ + "/" + kId + "/snap",
                                 "rbd://" + fsid + "/no-such-pool/" + kId + "/snap"}) {
    auto r = await(read_image(*store_, Location{uri}, {}));
    ASSERT_FALSE(r) << uri;
    EXPECT_EQ(r.error().code(), Errc::not_found) << uri << ": " << r.error().message();
  }
  add(kId, "data");
  auto r = await(
      read_image(*store_, Location{"rbd://" + fsid + "/" + pool_ + "/" + kId + "/other-snap"}, {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::not_found);
}

TEST_F(RbdStoreTest, AnImageOfTheIdMadeElsewhereIsADuplicate) {
  add(kId, "first");
  auto again = await(store_->begin_add(kId, 0));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Errc::conflict);
  for (const char* bad : {"a@b", "a/b", ".hidden"})
    EXPECT_EQ(await(store_->begin_add(bad, 0)).error().code(), Errc::bad_request) << bad;
}

// A store whose pool throttles writes (librbd's QoS, rbd_qos_write_bps_limit) so far below
// what the tests write that each write stays held in librbd for longer than the store's
// operation timeout, as librbd holds writes back while it cannot re-acquire an image's
// exclusive lock from an OSD that stopped; no librados timeout ends such a wait. The store has
// a pool of one thread, shared with a second store on an unthrottled pool, so that a thread
// left waiting for the held writes would stall the other store's uploads.
class RbdStoreHeldWrites : public RbdStoreTest {
 protected:
  static constexpr size_t kChunk = 160 << 10;     // 5 s at the limit below
  static constexpr const char* kLimit = "32768";  // bytes per second
  static constexpr int kTimeout = 3;              // the store's operation timeout, s

  void SetUp() override {
    RbdStoreTest::SetUp();
    held_pool_ = admin().create_pool("rbd-held");
    admin().set_pool_config(held_pool_, "rbd_qos_write_bps_limit", kLimit);
    RbdStoreConfig c;
    c.rbd_store_ceph_conf = glance::testing::ceph_cluster().conf;
    c.rbd_store_chunk_size = 1;
    c.rados_connect_timeout = kTimeout;
    c.rbd_store_pool = held_pool_;
    auto held = RbdStore::create(c, one_thread_);
    ASSERT_TRUE(held) << held.error().message();
    held_ = std::move(*held);
    c.rbd_store_pool = pool_;
    c.rados_connect_timeout = 60;
    auto free = RbdStore::create(c, one_thread_);
    ASSERT_TRUE(free) << free.error().message();
    free_ = std::move(*free);
  }
  void TearDown() override {
    held_.reset();
    free_.reset();
    admin().delete_pool(held_pool_);
    RbdStoreTest::TearDown();
  }
  std::vector<std::string> held_images() { return admin().images(held_pool_); }
  // An upload through the other store, on the same single pool thread, comes back whole
  // while the held image is still there: nothing waits on the held writes.
  void expect_the_pool_serves() {
    const std::string data = random_bytes(3 << 20, 21);
    auto stored = await(add_in_chunks(*free_, kId, data, data.size()));
    ASSERT_TRUE(stored) << stored.error().message();
    auto back = await(read_image(*free_, stored->location, {}));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_TRUE(*back == data);
    EXPECT_EQ(held_images().size(), 1u) << "the held image went before the other upload ended";
    EXPECT_TRUE(await(free_->remove(stored->location)));
  }
  // Once librbd lets the held writes through, the failed upload's image goes by itself.
  void expect_the_held_image_goes() {
    EXPECT_TRUE(glance::testing::eventually([&] { return held_images().empty(); },
                                            std::chrono::seconds(120)));
    EXPECT_EQ(held_->pending_removals(), 0u);
  }

  glance::store::BlockingPool one_thread_{1};
  std::string held_pool_;
  std::unique_ptr<RbdStore> held_;
  std::unique_ptr<RbdStore> free_;
};

// Four writes fill the window; the fifth waits for room, which the held first write does not
// make within the timeout: the upload fails with unavailable instead of waiting for Ceph, and
// abort() returns without waiting for the writes either.
TEST_F(RbdStoreHeldWrites, AWaitForRoomLongerThanTheOpTimeoutFailsTheUpload) {
  const std::string data = random_bytes(5 * kChunk, 22);
  auto writer = await(held_->begin_add(kId, 0));
  ASSERT_TRUE(writer) << writer.error().message();
  for (size_t i = 0; i < 4; ++i)
    ASSERT_TRUE(await((*writer)->write({data.data() + i * kChunk, kChunk})));
  auto fifth = await((*writer)->write({data.data() + 4 * kChunk, kChunk}));
  ASSERT_FALSE(fifth) << "the fifth write waited for the held ones";
  EXPECT_EQ(fifth.error().code(), Errc::unavailable) << fifth.error().message();
  await((*writer)->abort());
  EXPECT_EQ(held_images().size(), 1u) << "abort() waited for the held writes";
  expect_the_pool_serves();
  writer->reset();
  expect_the_held_image_goes();
}

// commit() waits for the last writes at most the timeout too (and its clean-up for the close).
TEST_F(RbdStoreHeldWrites, ACommitWhoseWritesAreHeldFailsTheUpload) {
  const std::string data = random_bytes(3 * kChunk, 23);
  auto writer = await(held_->begin_add(kId, data.size()));
  ASSERT_TRUE(writer) << writer.error().message();
  for (size_t i = 0; i < 3; ++i)
    ASSERT_TRUE(await((*writer)->write({data.data() + i * kChunk, kChunk})));
  auto committed = await((*writer)->commit());
  ASSERT_FALSE(committed) << "commit() waited for the held write";
  EXPECT_EQ(committed.error().code(), Errc::unavailable) << committed.error().message();
  writer->reset();
  expect_the_pool_serves();
  expect_the_held_image_goes();
}

// A writer dropped (its client hung up) while its writes are held: no pool thread waits for
// them to close and remove the image.
TEST_F(RbdStoreHeldWrites, AWriterDroppedWhileItsWritesAreHeldHoldsNoThread) {
  const std::string data = random_bytes(2 * kChunk, 24);
  {
    auto writer = await(held_->begin_add(kId, 0));
    ASSERT_TRUE(writer) << writer.error().message();
    for (size_t i = 0; i < 2; ++i)
      ASSERT_TRUE(await((*writer)->write({data.data() + i * kChunk, kChunk})));
  }
  expect_the_pool_serves();
  expect_the_held_image_goes();
}

// A store on a Ceph of the test's own whose OSD the test pauses (SIGSTOP, and marked down as a
// real cluster would mark it; see PrivateCephCluster::pause_osd) mid-upload, so that the
// upload's writes time out (each librados operation is bounded by 5 s); pausing the fixture's
// OSD would fail the tests that share it. Whatever the upload left must go once the OSD runs
// again, and the same store must then upload and read back.
class RbdStorePausedOsd : public ::testing::Test {
 protected:
  void SetUp() override {
    RbdStoreConfig c;
    c.rbd_store_ceph_conf = ceph_.cluster().conf;
    c.rbd_store_pool = ceph_.cluster().pool;
    c.rbd_store_chunk_size = 1;
    c.rados_connect_timeout = 5;
    auto store = RbdStore::create(c, glance::testing::store_pool());
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  // Never leave the OSD stopped: the cluster's own stop needs it running.
  void TearDown() override { ::kill(ceph_.osd_pid(), SIGCONT); }
  void pause() { ceph_.pause_osd(); }
  void resume() { ceph_.resume_osd(); }
  std::vector<std::string> images() { return admin_.images(ceph_.cluster().pool); }
  // Whether the pool holds no image; an OSD just resumed may not answer a listing yet.
  bool no_images() {
    try {
      return images().empty();
    } catch (const std::exception&) {
      return false;
    }
  }
  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }
  // Starts an upload of `data` (its size declared or not), writes its first two MiB with the
  // OSD running, pauses the OSD and writes on in 1 MiB chunks until a write fails, as the
  // timed-out writes make it; returns the writer and that failure.
  std::pair<std::unique_ptr<ImageWriter>, Result<void>> upload_until_a_write_fails(
      const std::string& data, bool declared) {
    auto writer = await(store_->begin_add(kId, declared ? data.size() : 0));
    if (!writer) return {nullptr, writer.error()};
    Result<void> written;
    size_t i = 0;
    for (; i < 2 && written; ++i)
      written = await((*writer)->write({data.data() + (i << 20), 1 << 20}));
    EXPECT_TRUE(written) << written.error().message();
    pause();
    for (; (i << 20) < data.size() && written; ++i)
      written = await((*writer)->write({data.data() + (i << 20), 1 << 20}));
    return {std::move(*writer), written};
  }
  // After the OSD resumes: the pool empties (the failed upload's image, whose lock and watch
  // this client may have left while the OSD was away, is removed by the store's retries), and
  // the same store uploads `data` under the same id and reads it back.
  void expect_recovery(const std::string& data) {
    EXPECT_TRUE(
        glance::testing::eventually([&] { return no_images(); }, std::chrono::seconds(180)));
    EXPECT_TRUE(images().empty());
    EXPECT_EQ(store_->pending_removals(), 0u);
    auto stored = await(add_in_chunks(*store_, kId, data, data.size()));
    ASSERT_TRUE(stored) << stored.error().message();
    EXPECT_EQ(stored->checksum, common::md5_hex(data));
    auto back = await(read_image(*store_, stored->location, {}));
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_TRUE(*back == data);
    EXPECT_TRUE(await(store_->remove(stored->location)));
    EXPECT_TRUE(images().empty());
  }

  // An upload of 12 MiB (`seed`'s bytes; its size declared or not) whose writes time out on
  // the paused OSD fails with unavailable; aborted, then with the OSD back, the store serves.
  void expect_failure_then_recovery(bool declared_size, uint32_t seed) {
    const std::string data = random_bytes(12 << 20, seed);
    auto [writer, written] = upload_until_a_write_fails(data, declared_size);
    ASSERT_TRUE(writer);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code(), Errc::unavailable) << written.error().message();
    glance::testing::await(ioc_, writer->abort());
    writer.reset();
    resume();
    expect_recovery(data);
  }

  glance::testing::PrivateCephCluster ceph_;
  glance::testing::CephAdmin admin_{ceph_.cluster()};
  net::io_context ioc_;
  std::unique_ptr<RbdStore> store_;
};

// A declared size (the image is created at it, so no resize happens while writing): a write
// fails with unavailable once the writes time out, and abort() takes the image away.
TEST_F(RbdStorePausedOsd, DeclaredSizeWritesTimingOutFailTheUploadAndTheStoreRecovers) {
  expect_failure_then_recovery(true, 10);
}

// An unknown size: the image grows while the upload goes on, so a growth meets the paused OSD
// too.
TEST_F(RbdStorePausedOsd, UnknownSizeWritesTimingOutFailTheUploadAndTheStoreRecovers) {
  expect_failure_then_recovery(false, 11);
}

// A writer destroyed without abort() (the client hung up) while its writes wait on the paused
// OSD, then the OSD resumes.
TEST_F(RbdStorePausedOsd, AWriterDroppedWhileTheOsdIsPausedLeavesNoImage) {
  const std::string data = random_bytes(6 << 20, 12);
  {
    auto writer = await(store_->begin_add(kId, data.size()));
    ASSERT_TRUE(writer) << writer.error().message();
    for (size_t i = 0; i < 2; ++i)
      ASSERT_TRUE(await((*writer)->write({data.data() + (i << 20), 1 << 20})));
    pause();
    // Accepted while the previous writes are still in flight (or failed by their timeout).
    (void)await((*writer)->write({data.data() + (2 << 20), 1 << 20}));
  }
  // Let the destroyed writer's writes time out on the paused OSD before it runs again.
  std::this_thread::sleep_for(std::chrono::seconds(8));
  resume();
  expect_recovery(data);
}

}  // namespace
}  // namespace glance::store
