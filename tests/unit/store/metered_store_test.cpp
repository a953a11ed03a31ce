// with_metrics() around a real FileStore (and a FaultyStore over one, for failed writes): each
// operation lands in its store, operation and outcome series, bytes included.

#include "store/metered_store.h"
#include "store/file/file_store.h"

#include "tests/support/faulty_store.h"
#include "tests/support/metrics_text.h"
#include "tests/support/store_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace glance::store {
namespace {

using common::Result;
using testing::await;

class MeteredStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("metered_store_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    auto file = FileStore::open_dir(dir_, pool_);
    ASSERT_TRUE(file);
    file_ = std::move(*file);
  }
  void TearDown() override {
    pool_.join();
    std::filesystem::remove_all(dir_);
  }

  // The value of one series in a scrape, or -1 when it is absent.
  double value(const std::string& series) {
    return glance::testing::series_value(metrics_.scrape(), series);
  }
  double ops(const std::string& store, const std::string& op, const std::string& outcome) {
    return value("glance_store_operations_total{operation=\"" + op + "\",outcome=\"" + outcome +
                 "\",store=\"" + store + "\"}");
  }

  // Writes `data` in two chunks and commits.
  Result<StoredImage> add(Store& store, const std::string& id, const std::string& data) {
    return await(ioc_, [&]() -> Task<StoredImage> {
      auto writer = co_await store.begin_add(id, data.size());
      if (!writer) co_return writer.error();
      const size_t half = data.size() / 2;
      for (auto part :
           {std::string_view(data).substr(0, half), std::string_view(data).substr(half)})
        if (auto w = co_await (*writer)->write(part); !w) {
          co_await (*writer)->abort();
          co_return w.error();
        }
      co_return co_await (*writer)->commit();
    }());
  }

  boost::asio::io_context ioc_;
  BlockingPool pool_{2};
  std::filesystem::path dir_;
  std::unique_ptr<FileStore> file_;
  common::metrics::Metrics metrics_;
};

TEST_F(MeteredStoreTest, AddGetDeleteAreCountedWithTheirBytesAndOutcomes) {
  auto store = with_metrics(std::move(file_), "file", metrics_);
  auto stored = add(*store, "11111111-2222-3333-4444-555555555555", std::string(3000, 'a'));
  ASSERT_TRUE(stored);
  EXPECT_EQ(ops("file", "add", "ok"), 1);
  EXPECT_EQ(value("glance_store_written_bytes_total{store=\"file\"}"), 3000);

  auto reader = await(ioc_, store->open(stored->location, {}));
  ASSERT_TRUE(reader);
  auto data = await(ioc_, testing::drain(**reader));
  ASSERT_TRUE(data);
  EXPECT_EQ(data->size(), 3000u);
  EXPECT_EQ(ops("file", "get", "ok"), 1);
  EXPECT_EQ(value("glance_store_read_bytes_total{store=\"file\"}"), 3000);

  EXPECT_TRUE(await(ioc_, store->remove(stored->location)));
  EXPECT_EQ(ops("file", "delete", "ok"), 1);
  EXPECT_FALSE(await(ioc_, store->remove(stored->location)));
  EXPECT_EQ(ops("file", "delete", "not_found"), 1);
  EXPECT_FALSE(await(ioc_, store->open(stored->location, {})));
  EXPECT_EQ(ops("file", "get", "not_found"), 1);
  EXPECT_EQ(ops("file", "get", "error"), 0);
  EXPECT_EQ(
      value("glance_store_operation_duration_seconds_count{operation=\"get\",store=\"file\"}"), 2);
}

TEST_F(MeteredStoreTest, SizeLookupsAreCountedByOutcome) {
  auto store = with_metrics(std::move(file_), "file", metrics_);
  auto stored = add(*store, "33333333-2222-3333-4444-555555555555", std::string(700, 'c'));
  ASSERT_TRUE(stored);
  auto size = await(ioc_, store->size(stored->location, {}));
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, 700u);
  EXPECT_EQ(ops("file", "size", "ok"), 1);
  ASSERT_TRUE(await(ioc_, store->remove(stored->location)));
  EXPECT_FALSE(await(ioc_, store->size(stored->location, {})));
  EXPECT_EQ(ops("file", "size", "not_found"), 1);
  EXPECT_FALSE(await(ioc_, store->size(Location{"file://relative/path"}, {})));
  EXPECT_EQ(ops("file", "size", "error"), 1);
  EXPECT_EQ(
      value("glance_store_operation_duration_seconds_count{operation=\"size\",store=\"file\"}"), 3);
  // Sizes are not gets.
  EXPECT_EQ(ops("file", "get", "ok"), 0);
  EXPECT_EQ(ops("file", "get", "not_found"), 0);
}

TEST_F(MeteredStoreTest, LeftoverSweepsAreCountedByOutcome) {
  const std::string id = "44444444-2222-3333-4444-555555555555";
  auto store = with_metrics(std::move(file_), "file", metrics_);
  ASSERT_TRUE(add(*store, id, std::string(500, 'd')));
  // A sweep removes the image's file: the wrapped store really ran it.
  ASSERT_TRUE(await(ioc_, store->remove_leftovers(id, std::nullopt)));
  EXPECT_FALSE(std::filesystem::exists(dir_ / id));
  EXPECT_EQ(ops("file", "remove_leftovers", "ok"), 1);
  // Nothing left to sweep is still a sweep that went well.
  ASSERT_TRUE(await(ioc_, store->remove_leftovers(id, std::nullopt)));
  EXPECT_EQ(ops("file", "remove_leftovers", "ok"), 2);
  // An id the store cannot name, and a location to keep that it cannot read, fail.
  EXPECT_FALSE(await(ioc_, store->remove_leftovers("../etc", std::nullopt)));
  EXPECT_FALSE(await(ioc_, store->remove_leftovers(id, Location{"file://relative/path"})));
  EXPECT_EQ(ops("file", "remove_leftovers", "error"), 2);
  EXPECT_EQ(ops("file", "remove_leftovers", "not_found"), -1);
  EXPECT_EQ(value("glance_store_operation_duration_seconds_count{operation=\"remove_leftovers\","
                  "store=\"file\"}"),
            4);
  // Sweeps are not deletes.
  EXPECT_EQ(ops("file", "delete", "ok"), 0);
  EXPECT_EQ(ops("file", "delete", "error"), 0);
}

TEST_F(MeteredStoreTest, AFailedWriteIsAnErrorAndADroppedWriterAnAbort) {
  auto store = with_metrics(
      std::make_unique<testing::FaultyStore>(*file_, 100, common::Error::storage_full("disk full")),
      "faulty", metrics_);
  EXPECT_FALSE(add(*store, "11111111-2222-3333-4444-555555555555", std::string(1000, 'b')));
  EXPECT_EQ(ops("faulty", "add", "error"), 1);
  EXPECT_EQ(ops("faulty", "add", "ok"), 0);
  EXPECT_EQ(ops("faulty", "add", "aborted"), 0);

  // A writer given up without any error of the store's (the client left, a quota).
  {
    auto writer = await(ioc_, store->begin_add("22222222-2222-3333-4444-555555555555", 0));
    ASSERT_TRUE(writer);
    EXPECT_TRUE(await(ioc_, (*writer)->write(std::string_view("0123456789"))));
  }
  EXPECT_EQ(ops("faulty", "add", "aborted"), 1);
  EXPECT_EQ(value("glance_store_written_bytes_total{store=\"faulty\"}"), 10);
  EXPECT_EQ(
      value("glance_store_operation_duration_seconds_count{operation=\"add\",store=\"faulty\"}"),
      2);
  // Each store has its own series.
  EXPECT_EQ(ops("file", "add", "error"), -1);
}

}  // namespace
}  // namespace glance::store
