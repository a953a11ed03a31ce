// An activation whose answer was lost is decided by what the registry stored, never by
// deleting data first: a fake registry, the real file store. No sockets.

#include "api/activation_outcome.h"
#include "store/blocking_pool.h"
#include "store/file/file_store.h"
#include "tests/support/fake_registry_client.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace glance::api {
namespace {

using common::Errc;
using common::Error;
using common::ImageStatus;
namespace net = boost::asio;

class SettleUnknownActivation : public ::testing::Test {
 protected:
  template <class F>
  auto run(F make) {
    net::io_context ioc;
    std::optional<typename decltype(make())::value_type> out;
    net::co_spawn(
        ioc, [&]() -> net::awaitable<void> { out = co_await make(); }, net::detached);
    ioc.run();
    return std::move(*out);
  }

  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("activation_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    store_ = *store::FileStore::open_dir(dir_, pool_);
    stored_ = run([&]() -> net::awaitable<common::Result<store::StoredImage>> {
                auto writer = co_await store_->begin_add(id_, 0);
                if (!writer) co_return writer.error();
                std::string data = "image bits";
                if (auto w = co_await (*writer)->write(std::span<const char>(data)); !w)
                  co_return w.error();
                co_return co_await (*writer)->commit();
              }).value();
  }

  void store_image(ImageStatus status, bool with_our_location) {
    common::Image img;
    img.id = id_;
    img.status = status;
    if (with_our_location) {
      img.locations = {common::ImageLocation{std::nullopt, stored_.location.uri}};
      img.checksum = stored_.checksum;
      img.size = static_cast<int64_t>(stored_.size);
    }
    registry_.put(img);
  }

  common::Result<common::Image> settle() {
    return run([&] {
      return settle_unknown_activation(
          registry_, *store_, caller_, id_, stored_, lost_,
          {std::chrono::milliseconds(50), std::chrono::milliseconds(10)});
    });
  }

  bool data_exists() const { return std::filesystem::exists(dir_ / id_); }

  std::filesystem::path dir_;
  store::BlockingPool pool_{2};  // before store_, which uses it until destroyed
  std::unique_ptr<store::FileStore> store_;
  store::StoredImage stored_;
  testing::FakeRegistryClient registry_;
  Caller caller_;
  const std::string id_ = "11111111-2222-3333-4444-555555555555";
  const Error lost_ = Error::unavailable("The image registry is unavailable: connection reset");
};

TEST_F(SettleUnknownActivation, OnlyUnansweredOrFailedRegistryCallsAreUnknown) {
  EXPECT_TRUE(activation_outcome_unknown(Error::unavailable("reset")));
  EXPECT_TRUE(activation_outcome_unknown(Error::internal("Registry error 500")));
  EXPECT_FALSE(activation_outcome_unknown(Error::conflict("Image operation conflicts")));
  EXPECT_FALSE(activation_outcome_unknown(Error::not_found("gone")));
}

TEST_F(SettleUnknownActivation, AppliedActivationIsSuccessAndKeepsTheData) {
  store_image(ImageStatus::active, true);
  auto settled = settle();
  ASSERT_TRUE(settled) << settled.error().message();
  EXPECT_EQ(settled->status, ImageStatus::active);
  EXPECT_TRUE(data_exists());
}

TEST_F(SettleUnknownActivation, ActivationThatDidNotHappenKillsThenRemovesTheData) {
  store_image(ImageStatus::saving, false);
  auto settled = settle();
  ASSERT_FALSE(settled);
  EXPECT_EQ(settled.error().code(), Errc::unavailable);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::killed);
  EXPECT_FALSE(data_exists());
}

TEST_F(SettleUnknownActivation, ImageKilledMeanwhileLosesTheDataAndAnswersConflict) {
  store_image(ImageStatus::killed, false);
  auto settled = settle();
  ASSERT_FALSE(settled);
  EXPECT_EQ(settled.error().code(), Errc::conflict);
  EXPECT_FALSE(data_exists());
}

TEST_F(SettleUnknownActivation, ImageDeletedMeanwhileIsPreconditionFailedWithNoData) {
  store_image(ImageStatus::deleted, false);
  auto settled = settle();
  ASSERT_FALSE(settled);
  EXPECT_EQ(settled.error().code(), Errc::precondition_failed);
  EXPECT_FALSE(data_exists());
}

TEST_F(SettleUnknownActivation, ActiveWithOtherDataIsConflictAndOursIsRemoved) {
  store_image(ImageStatus::active, false);
  auto settled = settle();
  ASSERT_FALSE(settled);
  EXPECT_EQ(settled.error().code(), Errc::conflict);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::active);
  EXPECT_FALSE(data_exists());
}

TEST(FilePartials, AnUnfinishedWriteIsListedWithItsImageAndGoneOnceDiscarded) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "partials_test";
  std::filesystem::remove_all(dir);
  store::BlockingPool pool(2);
  auto file_store = *store::FileStore::open_dir(dir, pool);
  net::io_context ioc;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        auto writer = co_await file_store->begin_add("a.b-c", 0);
        EXPECT_TRUE(writer);
        if (!writer) co_return;
        auto partials = store::list_partial_files(dir);
        EXPECT_EQ(partials.size(), 1u);
        if (!partials.empty()) {
          EXPECT_EQ(partials[0].image_id, "a.b-c");
          EXPECT_EQ(partials[0].writer_pid, ::getpid());
        }
        co_await (*writer)->abort();
        EXPECT_TRUE(store::list_partial_files(dir).empty());
      },
      net::detached);
  ioc.run();
  // Names that are not a writer's are never taken for one.
  for (const char* name : {"plain", ".partial", "..partial", ".x.partial.bak"})
    std::ofstream(dir / name) << "x";
  EXPECT_TRUE(store::list_partial_files(dir).empty());
  EXPECT_EQ(store::file_store_location(dir, "id").uri, "file://" + (dir / "id").string());
}

}  // namespace
}  // namespace glance::api
