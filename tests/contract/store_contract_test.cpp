// One suite run against every writable Store driver. A new driver adds a factory and a type
// below; drivers that talk to a server run against the real one the test harness started.
// Built twice: store_contract_tests runs the file, swift and s3 drivers (the Swift fixture);
// rbd_store_tests, with GLANCE_CONTRACT_ON_CEPH, the rbd driver (the Ceph fixture), since a
// test binary requires one fixture.

#include "common/hex_digest.h"
#include "store/file/file_store.h"
#include "store/rbd/rbd_store.h"
#include "store/s3/s3_store.h"
#include "store/swift/swift_store.h"
#include "tests/support/cluster_stores.h"
#ifdef GLANCE_CONTRACT_ON_CEPH
#include "tests/support/ceph_cluster.h"
#endif
#include "tests/support/http_client.h"
#include "tests/support/store_io.h"
#include "tests/support/swift_cluster.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
using glance::testing::add_in_chunks;
using glance::testing::closed_port;
using glance::testing::random_bytes;
using glance::testing::read_image;

// Makes a fresh, empty instance of a driver, and says how to count what it holds.
template <class T>
struct StoreFactory;

template <>
struct StoreFactory<FileStore> {
  // Two writers of one id: the second commit must fail, not overwrite.
  [[maybe_unused]] static constexpr bool atomic_commit = true;
  static std::unique_ptr<Store> make() {
    static int n = 0;
    auto dir = std::filesystem::path(::testing::TempDir()) /
               ("store_contract_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(dir);
    // Shared by every store of the run, as in glance-api.
    auto store = FileStore::open_dir(dir, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  // A store whose backend cannot be reached; nullptr when the driver has no server.
  static std::unique_ptr<Store> make_unreachable() { return nullptr; }
  // Every object the store holds, partial ones included.
  static size_t objects(Store& store) {
    auto& fs = static_cast<FileStore&>(store);
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(fs.datadir())) ++n;
    return n;
  }
};

#ifdef GLANCE_CONTRACT_ON_CEPH
// The Ceph of tests/support/ceph_cluster.h, one fresh pool per store. 1 MiB objects, so the
// suite's images span several and grow in steps.
template <>
struct StoreFactory<RbdStore> {
  // Each upload writes an image of its own name and renames it to the image id at commit,
  // which fails when the id exists.
  [[maybe_unused]] static constexpr bool atomic_commit = true;
  static glance::testing::CephAdmin& admin() {
    static glance::testing::CephAdmin admin(glance::testing::ceph_cluster());
    return admin;
  }
  static RbdStoreConfig config() {
    RbdStoreConfig c;
    c.rbd_store_ceph_conf = glance::testing::ceph_cluster().conf;
    c.rbd_store_pool = admin().create_pool("contract");
    c.rbd_store_chunk_size = 1;
    c.rados_connect_timeout = 60;
    return c;
  }
  static std::unique_ptr<Store> make() {
    auto store = RbdStore::create(config(), glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  // A monitor address where nothing listens.
  static std::unique_ptr<Store> make_unreachable() {
    auto conf = std::filesystem::path(::testing::TempDir()) /
                ("unreachable-ceph-" + std::to_string(::getpid()) + ".conf");
    std::ofstream(conf) << "[global]\nmon host = v1:127.0.0.1:" << closed_port()
                        << "\nauth client required = none\n";
    RbdStoreConfig c;
    c.rbd_store_ceph_conf = conf.string();
    c.rados_connect_timeout = 3;
    auto store = RbdStore::create(c, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  // RBD images in the store's pool, those of uploads under way included.
  static size_t objects(Store& store) {
    return admin().images(static_cast<RbdStore&>(store).config().rbd_store_pool).size();
  }
};
#else
// The Swift all-in-one of tests/support/swift_cluster.h, one fresh container per store.
template <>
struct StoreFactory<SwiftStore> {
  // Each upload writes objects of its own name and both commit; the registry's compare-and-set
  // decides which one the image keeps. swift_store_test.cpp checks that race.
  [[maybe_unused]] static constexpr bool atomic_commit = false;
  static SwiftStoreConfig config() { return glance::testing::swift_config_on_cluster("contract"); }
  static std::unique_ptr<Store> make() {
    auto store = SwiftStore::create(config(), glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  static std::unique_ptr<Store> make_unreachable() {
    auto c = config();
    c.auth_address = "http://127.0.0.1:" + std::to_string(closed_port()) + "/auth/v1.0";
    auto store = SwiftStore::create(c, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  // Objects in the store's container, segments and manifests alike.
  static size_t objects(Store& store) {
    const auto& cluster = glance::testing::swift_cluster();
    std::string storage_url;
    auto token = glance::testing::swift_token(cluster, &storage_url);
    glance::testing::HttpClient client(cluster.proxy_port);
    auto listing =
        client.get(glance::testing::url_path(storage_url) + "/" +
                       static_cast<SwiftStore&>(store).config().container + "?format=json",
                   {{"X-Auth-Token", token}});
    if (listing.status == 404 || listing.status == 204) return 0;
    if (listing.status != 200)
      throw std::runtime_error("listing: HTTP " + std::to_string(listing.status));
    return listing.json().size();
  }
};

// Keys in the bucket plus multipart uploads in progress, so a leaked upload counts too. Uses
// its own client: the store's pooled connections belong to the test's io_context.
net::awaitable<common::Result<size_t>> s3_objects(const s3::Bucket& bucket) {
  s3::Client client{common::http::ClientConfig{}};
  const std::string no_body;
  const s3::Request list{"GET", "", {}, {}};
  auto keys = co_await client.fetch(bucket, list, no_body);
  if (!keys) co_return keys.error();
  if (keys->status == 404) co_return size_t{0};  // the bucket comes with the first upload
  const s3::Request pending{"GET", "", {{"uploads", ""}}, {}};
  auto uploads = co_await client.fetch(bucket, pending, no_body);
  if (!uploads) co_return uploads.error();
  if (keys->status != 200 || uploads->status != 200)
    co_return common::Error::internal("cannot list the bucket: " + keys->body + uploads->body);
  co_return s3::xml_texts(keys->body, "Key").size() +
      s3::xml_texts(uploads->body, "UploadId").size();
}

template <>
struct StoreFactory<S3Store> {
  // S3 has no create-only PUT that every server honours: each upload writes its own key and
  // both commit; the registry's compare-and-set decides which one the image keeps.
  [[maybe_unused]] static constexpr bool atomic_commit = false;
  // A fresh bucket per store on the Swift all-in-one's S3 API, made by the first upload.
  // Parts are S3's smallest (5 MiB), and only declared sizes of 1 MiB and more go multipart,
  // so the suite's images take the single-PUT paths; s3_store_test covers the multipart ones.
  static S3StoreConfig config() { return glance::testing::s3_config_on_cluster("contract"); }
  static std::unique_ptr<Store> make() {
    auto store = S3Store::create(config(), glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  static std::unique_ptr<Store> make_unreachable() {
    auto c = config();
    c.s3_store_host = "http://127.0.0.1:" + std::to_string(closed_port());
    auto store = S3Store::create(c, glance::testing::store_pool());
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  static size_t objects(Store& store) {
    net::io_context ioc;
    auto n = glance::testing::await(ioc, s3_objects(static_cast<S3Store&>(store).bucket()));
    if (!n) throw std::runtime_error(n.error().message());
    return *n;
  }
};

#endif

template <class T>
class StoreContract : public ::testing::Test {
 protected:
  // Declared first so it outlives the store's pooled connections.
  net::io_context ioc_;
  std::unique_ptr<Store> store_ = StoreFactory<T>::make();
  size_t objects() { return StoreFactory<T>::objects(*store_); }

  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }

  StoredImage add(const std::string& id, const std::string& data, uint64_t declared = 0) {
    auto stored = await(add_in_chunks(*store_, id, data, declared));
    if (!stored) throw std::runtime_error(stored.error().message());
    return *stored;
  }
  common::Result<std::string> read(const Location& where, const ReadOptions& options = {}) {
    return await(read_image(*store_, where, options));
  }
};

#ifdef GLANCE_CONTRACT_ON_CEPH
using Drivers = ::testing::Types<RbdStore>;
// "StoreContract/Rbd.<case>": ctest names must differ from store_contract_tests' ones.
struct DriverName {
  template <class T>
  static std::string GetName(int) {
    return "Rbd";
  }
};
TYPED_TEST_SUITE(StoreContract, Drivers, DriverName);
#else
using Drivers = ::testing::Types<FileStore, SwiftStore, S3Store>;
TYPED_TEST_SUITE(StoreContract, Drivers);
#endif

TYPED_TEST(StoreContract, AddThenReadBackByteExact) {
  std::string data = random_bytes(300000, 42);
  auto stored = this->add("11111111-1111-1111-1111-111111111111", data);
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  EXPECT_EQ(stored.sha256, common::sha256_hex(data));
  auto size = this->await(this->store_->size(stored.location, ReadOptions{}));
  ASSERT_TRUE(size) << size.error().message();
  EXPECT_EQ(*size, data.size());
  auto back = this->read(stored.location);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
  bool scheme_known = false;
  for (const auto& s : this->store_->schemes()) scheme_known |= s == stored.location.scheme();
  EXPECT_TRUE(scheme_known);
}

TYPED_TEST(StoreContract, DeclaredSizeGivesTheSameResult) {
  std::string data = random_bytes(200000, 7);
  auto stored = this->add("12121212-1212-1212-1212-121212121212", data, data.size());
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  auto back = this->read(stored.location);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
}

TYPED_TEST(StoreContract, ReadsASpan) {
  std::string data = random_bytes(300000, 3);
  auto stored = this->add("13131313-1313-1313-1313-131313131313", data);
  ReadOptions middle;
  middle.span = ByteSpan{123456, 1000};
  auto part = this->read(stored.location, middle);
  ASSERT_TRUE(part) << part.error().message();
  EXPECT_TRUE(*part == data.substr(123456, 1000));
  ReadOptions last;
  last.span = ByteSpan{data.size() - 1, 1};
  auto tail = this->read(stored.location, last);
  ASSERT_TRUE(tail) << tail.error().message();
  EXPECT_EQ(*tail, data.substr(data.size() - 1));
}

TYPED_TEST(StoreContract, EmptyImage) {
  auto stored = this->add("22222222-2222-2222-2222-222222222222", "");
  EXPECT_EQ(stored.size, 0u);
  EXPECT_EQ(stored.checksum, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(stored.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto back = this->read(stored.location);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, "");
}

TYPED_TEST(StoreContract, DuplicateIsAConflict) {
  this->add("33333333-3333-3333-3333-333333333333", "first");
  auto again = this->await(this->store_->begin_add("33333333-3333-3333-3333-333333333333", 0));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Errc::conflict);
}

net::awaitable<common::Result<std::pair<bool, bool>>> two_writers(Store& store,
                                                                  const std::string& id) {
  auto a = co_await store.begin_add(id, 0);
  auto b = co_await store.begin_add(id, 0);
  if (!a || !b) co_return common::Error::internal("begin_add failed");
  co_await (*a)->write({"aaa", 3});
  co_await (*b)->write({"bbbb", 4});
  auto first = co_await (*a)->commit();
  auto second = co_await (*b)->commit();
  if (!second && second.error().code() != Errc::conflict)
    co_return common::Error::internal("second commit: " + second.error().message());
  co_return std::pair<bool, bool>{first.has_value(), second.has_value()};
}

TYPED_TEST(StoreContract, ConcurrentWritersOfOneIdOnlyOneCommits) {
  if (!StoreFactory<TypeParam>::atomic_commit)
    GTEST_SKIP() << "this backend lets the last writer win; the registry's compare-and-set "
                    "decides which upload owns the image";
  auto outcome = this->await(two_writers(*this->store_, "44444444-4444-4444-4444-444444444444"));
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->first);
  EXPECT_FALSE(outcome->second);
  EXPECT_EQ(this->objects(), 1u);
}

net::awaitable<common::Result<void>> write_then_abort(Store& store, const std::string& id,
                                                      const std::string& data) {
  auto writer = co_await store.begin_add(id, 0);
  if (!writer) co_return writer.error();
  for (size_t off = 0; off < data.size(); off += 65536) {
    std::span<const char> chunk(data.data() + off, std::min<size_t>(65536, data.size() - off));
    if (auto w = co_await (*writer)->write(chunk); !w) co_return w.error();
  }
  co_await (*writer)->abort();
  co_return common::Result<void>();
}

TYPED_TEST(StoreContract, FailureMidWriteLeavesNothing) {
  std::string data = random_bytes(300000, 5);
  auto aborted =
      this->await(write_then_abort(*this->store_, "55555555-5555-5555-5555-555555555555", data));
  ASSERT_TRUE(aborted) << aborted.error().message();
  EXPECT_EQ(this->objects(), 0u);
  // The id is free again.
  this->add("55555555-5555-5555-5555-555555555555", "whole");
}

// Keeps every thread of `pool` busy until release(), so that work handed to the pool waits.
class PoolStall {
 public:
  explicit PoolStall(BlockingPool& pool) : threads_(pool.threads()) {
    for (size_t i = 0; i < threads_; ++i)
      pool.post([this] {
        std::unique_lock lock(mutex_);
        ++held_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return released_; });
        --held_;
        changed_.notify_all();
      });
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return held_ == threads_; });
  }
  ~PoolStall() { release(); }
  // Lets the pool go and returns once no thread uses this object any more.
  void release() {
    std::unique_lock lock(mutex_);
    released_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return held_ == 0; });
  }

 private:
  const size_t threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t held_ = 0;
  bool released_ = false;
};

net::awaitable<void> write_into(ImageWriter* writer, std::span<const char> chunk,
                                std::optional<common::Result<void>>* outcome) {
  *outcome = co_await writer->write(chunk);
}

struct StalledWrite {
  StoredImage stored;
  bool waited_for_the_pool = false;  // the second write was pending while the pool was held
};

// Writes `data` in two halves while the store's pool is held: the second write has to wait
// for the pool to hash the first half, and meanwhile the io thread goes on serving (the timer
// below fires on it). Then lets the pool go and commits.
net::awaitable<common::Result<StalledWrite>> write_with_stalled_pool(Store& store,
                                                                     const std::string& id,
                                                                     const std::string& data) {
  auto writer = co_await store.begin_add(id, 0);
  if (!writer) co_return writer.error();
  const size_t half = data.size() / 2;
  const std::span<const char> first(data.data(), half);
  const std::span<const char> second(data.data() + half, data.size() - half);
  std::optional<PoolStall> stall(std::in_place, glance::testing::store_pool());
  if (auto w = co_await (*writer)->write(first); !w) co_return w.error();
  auto executor = co_await net::this_coro::executor;
  std::optional<common::Result<void>> second_written;
  net::co_spawn(executor, write_into(writer->get(), second, &second_written), net::detached);
  // Long enough for the write to finish were it not waiting for the pool.
  net::steady_timer timer(executor, std::chrono::milliseconds(300));
  co_await timer.async_wait(net::use_awaitable);
  StalledWrite result;
  result.waited_for_the_pool = !second_written.has_value();
  stall.reset();
  while (!second_written) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(net::use_awaitable);
  }
  if (!*second_written) co_return second_written->error();
  auto stored = co_await (*writer)->commit();
  if (!stored) co_return stored.error();
  result.stored = std::move(*stored);
  co_return result;
}

TYPED_TEST(StoreContract, HashingWaitsOnThePoolNeverOnTheIoThread) {
  const std::string data = random_bytes(200000, 8);
  auto outcome = this->await(
      write_with_stalled_pool(*this->store_, "88888888-8888-8888-8888-888888888888", data));
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->waited_for_the_pool);
  EXPECT_EQ(outcome->stored.checksum, common::md5_hex(data));
  EXPECT_EQ(outcome->stored.sha256, common::sha256_hex(data));
  auto back = this->read(outcome->stored.location);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == data);
}

struct LeftoverRun {
  StoredImage kept;
  std::string read_back;  // the kept data, read after the first clean-up
};

// An upload left half-written (as a dead process leaves it) next to a committed one of the same
// image: a clean-up that keeps the committed one must leave it readable.
net::awaitable<common::Result<LeftoverRun>> leftovers_beside(Store& store, const std::string& id,
                                                             const std::string& data) {
  auto dead = co_await store.begin_add(id, 0);
  if (!dead) co_return dead.error();
  const std::string half_written = random_bytes(150000, 9);
  if (auto w = co_await (*dead)->write(half_written); !w) co_return w.error();
  auto stored = co_await glance::testing::add_in_chunks(store, id, data, 0);
  if (!stored) co_return stored.error();
  const std::optional<Location> keep = stored->location;
  if (auto r = co_await store.remove_leftovers(id, keep); !r) co_return r.error();
  auto back = co_await read_image(store, stored->location, ReadOptions{});
  if (!back) co_return back.error();
  co_await (*dead)->abort();
  co_return LeftoverRun{std::move(*stored), std::move(*back)};
}

TYPED_TEST(StoreContract, RemovingLeftoversSparesOnlyTheKeptData) {
  const std::string id = "99999999-9999-9999-9999-999999999999";
  const std::string data = random_bytes(120000, 10);
  auto run = this->await(leftovers_beside(*this->store_, id, data));
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_TRUE(run->read_back == data);
  auto removed = this->await(this->store_->remove_leftovers(id, std::nullopt));
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(this->objects(), 0u);
  EXPECT_EQ(this->read(run->kept.location).error().code(), Errc::not_found);
}

TYPED_TEST(StoreContract, RemoveThenNotFound) {
  auto stored = this->add("66666666-6666-6666-6666-666666666666", random_bytes(100000, 42));
  auto removed = this->await(this->store_->remove(stored.location));
  EXPECT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(this->objects(), 0u);
  EXPECT_EQ(this->await(this->store_->remove(stored.location)).error().code(), Errc::not_found);
  EXPECT_EQ(this->read(stored.location).error().code(), Errc::not_found);
  EXPECT_EQ(this->await(this->store_->size(stored.location, ReadOptions{})).error().code(),
            Errc::not_found);
}

TYPED_TEST(StoreContract, ForeignLocationIsABadRequest) {
  auto r = this->read(Location{"nosuchscheme://x/y"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::bad_request);
}

TYPED_TEST(StoreContract, IdsThatWouldEscapeAreRefused) {
  EXPECT_FALSE(this->await(this->store_->begin_add("../etc", 0)));
  EXPECT_FALSE(this->await(this->store_->begin_add("", 0)));
}

TYPED_TEST(StoreContract, UnreachableServerIsUnavailable) {
  auto unreachable = StoreFactory<TypeParam>::make_unreachable();
  if (!unreachable) GTEST_SKIP() << "this driver has no server";
  auto writer = this->await(unreachable->begin_add("77777777-7777-7777-7777-777777777777", 0));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code(), Errc::unavailable) << writer.error().message();
}

}  // namespace
}  // namespace glance::store
