// The upload path through its seams: a fake registry, the real file store (wrapped to inject
// faults) and an in-memory request body. No sockets.

#include "api/upload.h"
#include "common/hex_digest.h"
#include "store/file/file_store.h"
#include "tests/support/fake_registry_client.h"
#include "tests/support/faulty_store.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>

namespace glance::api {
namespace {

using common::Errc;
using common::Error;
using common::ImageStatus;
namespace net = boost::asio;

// A request body from memory that may break off like a client going away.
class MemoryBody final : public common::http::BodyReader {
 public:
  explicit MemoryBody(std::string data, std::optional<size_t> break_at = std::nullopt)
      : data_(std::move(data)), break_at_(break_at) {}
  net::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override {
    size_t end = break_at_.value_or(data_.size());
    if (pos_ >= end && break_at_)
      co_return Error::bad_request("Client disconnected before sending all data to backend");
    size_t n = std::min({buf.size(), end - pos_, size_t{4096}});
    std::copy_n(data_.data() + pos_, n, buf.data());
    pos_ += n;
    co_return n;
  }

 private:
  std::string data_;
  std::optional<size_t> break_at_;
  size_t pos_ = 0;
};

class Upload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("upload_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    file_store_ = *store::FileStore::open_dir(dir_, pool_);
    common::Image img;
    img.id = "11111111-2222-3333-4444-555555555555";
    img.disk_format = "raw";
    img.container_format = "bare";
    registry_.put(img);
  }

  common::Result<common::Image> run(store::Store& store, common::http::BodyReader& body,
                                    uint64_t cap = 1 << 30) {
    net::io_context ioc;
    std::optional<common::Result<common::Image>> out;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
          out = co_await upload_image_data(registry_, store, caller_, registry_.at(id_), body,
                                           UploadLimits{cap});
        },
        net::detached);
    ioc.run();
    return std::move(*out);
  }

  size_t files() const {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  }

  std::filesystem::path dir_;
  store::BlockingPool pool_{2};
  std::unique_ptr<store::FileStore> file_store_;
  testing::FakeRegistryClient registry_;
  Caller caller_;
  std::string id_ = "11111111-2222-3333-4444-555555555555";
};

TEST_F(Upload, StreamsToTheStoreAndActivates) {
  std::string data(300000, 'd');
  MemoryBody body(data);
  auto img = run(*file_store_, body);
  ASSERT_TRUE(img) << img.error().message();
  EXPECT_EQ(img->status, ImageStatus::active);
  EXPECT_EQ(img->size, std::optional<int64_t>(300000));
  EXPECT_EQ(img->checksum, std::optional<std::string>(common::md5_hex(data)));
  EXPECT_EQ(img->os_hash_algo, std::optional<std::string>("sha256"));
  EXPECT_EQ(img->os_hash_value, std::optional<std::string>(common::sha256_hex(data)));
  ASSERT_TRUE(img->active_location());
  EXPECT_EQ(files(), 1u);
}

TEST_F(Upload, DiskFullIs413KilledAndNothingLeft) {
  testing::FaultyStore full(*file_store_, 100000,
                            Error::storage_full("Image storage media is full"));
  MemoryBody body(std::string(300000, 'd'));
  auto img = run(full, body);
  ASSERT_FALSE(img);
  EXPECT_EQ(common::to_http_status(img.error().code()), 413u);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::killed);
  EXPECT_EQ(files(), 0u);
}

TEST_F(Upload, PermissionDeniedIs503AndKilled) {
  testing::FaultyStore denied(*file_store_, 0, Error::unavailable("Insufficient permissions"));
  MemoryBody body(std::string(10, 'd'));
  auto img = run(denied, body);
  ASSERT_FALSE(img);
  EXPECT_EQ(common::to_http_status(img.error().code()), 503u);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::killed);
  EXPECT_EQ(files(), 0u);
}

TEST_F(Upload, ClientGoneIs400KilledAndNothingLeft) {
  MemoryBody body(std::string(300000, 'd'), 150000);
  auto img = run(*file_store_, body);
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().code(), Errc::bad_request);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::killed);
  EXPECT_EQ(files(), 0u);
}

TEST_F(Upload, OverTheCapWhileStreamingIs413) {
  MemoryBody body(std::string(5000, 'd'));
  auto img = run(*file_store_, body, 4096);
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().code(), Errc::payload_too_large);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::killed);
  EXPECT_EQ(files(), 0u);
}

TEST_F(Upload, DeletedDuringUploadIs412AndTheDataIsRemoved) {
  registry_.before_update = [](testing::FakeRegistryClient& r, const std::string& id,
                               const common::ImageFields& f) {
    if (f.status == ImageStatus::active) {
      auto img = r.at(id);
      img.status = ImageStatus::deleted;
      r.put(img);
    }
  };
  MemoryBody body(std::string(1000, 'd'));
  auto img = run(*file_store_, body);
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().code(), Errc::precondition_failed);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::deleted);
  EXPECT_EQ(files(), 0u);
}

TEST_F(Upload, LosingARaceToAnotherUploadIs409AndKeepsTheWinner) {
  registry_.before_update = [](testing::FakeRegistryClient& r, const std::string& id,
                               const common::ImageFields& f) {
    if (f.status == ImageStatus::active) {
      auto img = r.at(id);
      img.status = ImageStatus::active;  // the other upload activated first
      r.put(img);
    }
  };
  MemoryBody body(std::string(1000, 'd'));
  auto img = run(*file_store_, body);
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().code(), Errc::conflict);
  EXPECT_EQ(registry_.at(id_).status, ImageStatus::active);
}

}  // namespace
}  // namespace glance::api
