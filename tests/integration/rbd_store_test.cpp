// The rbd store's own cases against the real Ceph of the test harness: what upstream writes
// (location, protected snapshot, layering), what Nova's clones do to a delete, growth of images
// of unknown size, ranges across objects and read chunks, and what failed uploads leave.

#include "store/rbd/rbd_store.h"
#include "common/hex_digest.h"
#include "tests/support/ceph_cluster.h"
#include "tests/support/cluster_stores.h"
#include "tests/support/eventually.h"
#include "tests/support/store_io.h"

#include <gtest/gtest.h>
#include <rbd/librbd.h>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
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

// What the orphan reaper looks at: the images of uploads ("<id>-<tag>"), running or left
// behind, by their image id; never a committed image, whose name "<uuid>" also ends in 12 hex
// digits, nor another service's image in the same pool ("volume-<uuid>", a Cinder volume).
TEST_F(RbdStoreTest, UploadLeftoverIdsNameTheImagesOfUploadsOnly) {
  const std::string data = random_bytes(200000, 9);
  add(kId, data);
  admin().clone(pool_, kId, "snap", "volume-" + kId);
  const std::string running = "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";
  auto writer = await(store_->begin_add(running, 0));
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE(await((*writer)->write({data.data(), data.size()})));
  auto ids = await(store_->upload_leftover_ids());
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(*ids, std::vector<std::string>{running});
  // The running upload's image is open: removing its leftovers leaves it, and its exclusive
  // lock, which this client holds through a live watch, to the upload, which still commits.
  EXPECT_TRUE(await(store_->remove_leftovers(running, std::nullopt)));
  EXPECT_EQ(images().size(), 3u);
  auto stored = await((*writer)->commit());
  ASSERT_TRUE(stored) << stored.error().message();
  ids = await(store_->upload_leftover_ids());
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_TRUE(ids->empty());
  admin().remove_image(pool_, "volume-" + kId);
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

}  // namespace
}  // namespace glance::store
