// Single flight of cache fills: what a follower may read at each stage of a fill, how a
// flight wakes those waiting on it, and the leader and followers of a real ImageCache on a
// local disk, driven step by step on one io_context (no sockets, no sleeps).

#include "api/cache/fill_flight.h"
#include "api/cache/fill_follower.h"
#include "api/cache/image_cache.h"
#include "common/hex_digest.h"
#include "store/blocking_pool.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace glance::api {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using Kind = FollowStep::Kind;
using Stage = FillFlight::Stage;

TEST(NextFollowStep, NothingIsReadBeforeTheStoreAnswered) {
  EXPECT_EQ(next_follow_step({Stage::opening, 0}, 100, 0).kind, Kind::wait);
}

TEST(NextFollowStep, WrittenBytesAreReadButTheLastWaitsForTheCommit) {
  auto s = next_follow_step({Stage::streaming, 40}, 100, 0);
  EXPECT_EQ(s.kind, Kind::read);
  EXPECT_EQ(s.bytes, 40u);
  EXPECT_EQ(next_follow_step({Stage::streaming, 40}, 100, 40).kind, Kind::wait);
  s = next_follow_step({Stage::streaming, 100}, 100, 40);
  EXPECT_EQ(s.kind, Kind::read);
  EXPECT_EQ(s.bytes, 59u);
  EXPECT_EQ(next_follow_step({Stage::streaming, 100}, 100, 99).kind, Kind::wait);
  // More than the size fails the checks: the surplus is never offered.
  s = next_follow_step({Stage::streaming, 150}, 100, 0);
  EXPECT_EQ(s.bytes, 99u);
  EXPECT_EQ(next_follow_step({Stage::streaming, 1}, 1, 0).kind, Kind::wait);
}

TEST(NextFollowStep, ACommittedFillIsReadToItsEnd) {
  auto s = next_follow_step({Stage::committed, 100}, 100, 99);
  EXPECT_EQ(s.kind, Kind::read);
  EXPECT_EQ(s.bytes, 1u);
  EXPECT_EQ(next_follow_step({Stage::committed, 100}, 100, 100).kind, Kind::end);
}

TEST(NextFollowStep, AFailedFillEndsEveryFollowerWithAnError) {
  EXPECT_EQ(next_follow_step({Stage::failed, 100}, 100, 10).kind, Kind::fail);
  EXPECT_EQ(next_follow_step({Stage::failed, 0}, 100, 0).kind, Kind::fail);
}

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

TEST(FillFlightTest, WaitersWakeOnEachReportAndNotAfterTheEnd) {
  net::io_context io;
  FillFlight flight(10, "sum");
  std::vector<FillFlight::Progress> seen;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        auto now = flight.progress();
        while (now.stage != Stage::committed) {
          now = co_await flight.changed(now);
          seen.push_back(now);
        }
      },
      net::detached);
  io.run_one();  // the coroutine now waits
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);
  flight.start(fds[0]);
  io.restart();
  io.poll();
  flight.wrote(4);
  io.restart();
  io.poll();
  flight.wrote(4);  // no news: nobody wakes
  flight.wrote(10);
  flight.finish(true);
  flight.finish(false);  // settled already
  flight.wrote(12);
  io.restart();
  io.run();
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.front(), (FillFlight::Progress{Stage::streaming, 0}));
  EXPECT_EQ(seen[1], (FillFlight::Progress{Stage::streaming, 4}));
  EXPECT_EQ(seen.back(), (FillFlight::Progress{Stage::committed, 10}));
  EXPECT_EQ(flight.progress(), (FillFlight::Progress{Stage::committed, 10}));
  EXPECT_EQ(flight.read_fd(), fds[0]);
}

TEST(FillFlightTest, NobodyJoinsAFailedFlightAndItsLateDescriptorIsClosed) {
  FillFlight flight(10, "sum");
  EXPECT_TRUE(flight.join());
  EXPECT_TRUE(flight.still_followed());
  flight.leave();
  EXPECT_FALSE(flight.still_followed());  // fails the flight there and then
  EXPECT_EQ(flight.progress().stage, Stage::failed);
  EXPECT_FALSE(flight.join());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);
  flight.start(fds[0]);
  EXPECT_FALSE(is_open(fds[0]));
  EXPECT_EQ(flight.read_fd(), -1);
}

// An image of `chunks` chunks of 64 KiB that a test hands out one at a time (release()), or
// cuts (fail_next).
class GatedSource final : public common::http::BodyReader {
 public:
  explicit GatedSource(std::string data) : data_(std::move(data)) {}
  net::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override {
    if (fail_) co_return common::Error::unavailable("cut");
    const size_t n = std::min({buf.size(), data_.size() - done_, size_t{64 * 1024}});
    std::copy_n(data_.data() + done_, n, buf.data());
    done_ += n;
    co_return n;
  }
  bool fail_ = false;

 private:
  std::string data_;
  size_t done_ = 0;
};

std::string pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
  return s;
}

class FillFlightCache : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.dir = (fs::path(::testing::TempDir()) /
                   ("fill_flight_test_" +
                    std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())))
                      .string();
    fs::remove_all(config_.dir);
    auto dir = CacheDirectory::open(config_, true);
    ASSERT_TRUE(dir);
    cache_ = std::make_unique<ImageCache>(std::move(*dir), pool_);
    image_.id = "11111111-2222-3333-4444-555555555555";
    image_.size = static_cast<int64_t>(data_.size());
    image_.checksum = common::md5_hex(data_);
  }
  // Reads `reader` to its end (or error) into `out`; `ok` tells which.
  static net::awaitable<void> drain(common::http::BodyReader& reader, std::string& out, bool& ok) {
    std::vector<char> buf(100 * 1000);
    for (;;) {
      auto n = co_await reader.read_some(buf);
      if (!n) co_return;
      if (*n == 0) break;
      out.append(buf.data(), *n);
    }
    ok = true;
  }
  // A download that misses while the fill runs: follows it to its end.
  void follow(std::string& out, bool& ok, bool& followed) {
    net::co_spawn(
        io_,
        [&]() -> net::awaitable<void> {
          std::optional<FillLease> lead;
          auto body = co_await cache_->follow(image_, lead);
          followed = body.has_value();
          EXPECT_FALSE(lead);
          if (!body) co_return;
          auto& stream = std::get<common::http::StreamBody>(*body);
          EXPECT_EQ(stream.length, std::optional<uint64_t>(data_.size()));
          co_await drain(*stream.reader, out, ok);
        },
        net::detached);
  }
  bool cached() const { return fs::exists(fs::path(config_.dir) / image_.id); }

  const std::string data_ = pattern(10 * 64 * 1024 + 123);
  CacheConfig config_;
  store::BlockingPool pool_{2};
  net::io_context io_;
  std::unique_ptr<ImageCache> cache_;
  common::Image image_;
};

TEST_F(FillFlightCache, FollowersOfALeaderWhoLeftGetTheWholeImageAndItIsCached) {
  std::string a, b;
  bool a_ok = false, b_ok = false, a_followed = false, b_followed = false;
  std::string leader_got;
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        EXPECT_TRUE(lease);
        if (!lease) co_return;
        follow(a, a_ok, a_followed);
        follow(b, b_ok, b_followed);
        auto body = co_await cache_->fill(
            std::move(*lease),
            common::http::StreamBody{std::make_unique<GatedSource>(data_), data_.size()});
        auto& leader = std::get<common::http::StreamBody>(body).reader;
        std::vector<char> buf(64 * 1024);
        auto n = co_await leader->read_some(buf);
        if (n) leader_got.assign(buf.data(), *n);
        leader.reset();  // the leader's client left after one chunk
      },
      net::detached);
  io_.run();
  EXPECT_EQ(leader_got, data_.substr(0, 64 * 1024));
  EXPECT_TRUE(a_followed && b_followed);
  EXPECT_TRUE(a_ok && b_ok);
  EXPECT_TRUE(a == data_);
  EXPECT_TRUE(b == data_);
  EXPECT_TRUE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

TEST_F(FillFlightCache, FollowersOfACutFillEndWithAnErrorBeforeTheEnd) {
  std::string a;
  bool a_ok = false, a_followed = false;
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        follow(a, a_ok, a_followed);
        auto source = std::make_unique<GatedSource>(data_);
        auto* gate = source.get();
        auto body = co_await cache_->fill(
            std::move(*lease), common::http::StreamBody{std::move(source), data_.size()});
        auto& leader = std::get<common::http::StreamBody>(body).reader;
        std::vector<char> buf(64 * 1024);
        for (int i = 0; i < 3; ++i) (void)co_await leader->read_some(buf);
        gate->fail_ = true;
        EXPECT_FALSE(co_await leader->read_some(buf));
      },
      net::detached);
  io_.run();
  EXPECT_TRUE(a_followed);
  EXPECT_FALSE(a_ok);
  EXPECT_LE(a.size(), 3u * 64 * 1024);
  EXPECT_EQ(a, data_.substr(0, a.size()));
  EXPECT_FALSE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

TEST_F(FillFlightCache, DataFailingItsChecksumReachesTheLeaderWholeButNoFollower) {
  std::string a, leader_got;
  bool a_ok = false, a_followed = false, leader_ok = false;
  auto corrupt = data_;
  corrupt[5000] = static_cast<char>(corrupt[5000] ^ 0x5a);
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        follow(a, a_ok, a_followed);
        auto body = co_await cache_->fill(
            std::move(*lease),
            common::http::StreamBody{std::make_unique<GatedSource>(corrupt), corrupt.size()});
        co_await drain(*std::get<common::http::StreamBody>(body).reader, leader_got, leader_ok);
      },
      net::detached);
  io_.run();
  EXPECT_TRUE(leader_ok);
  EXPECT_TRUE(leader_got == corrupt);
  EXPECT_TRUE(a_followed);
  EXPECT_FALSE(a_ok);
  EXPECT_LT(a.size(), data_.size());
  EXPECT_FALSE(cached());
}

TEST_F(FillFlightCache, AFillNobodyFollowsIsDiscardedWhenItsLeaderLeaves) {
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        auto body = co_await cache_->fill(
            std::move(*lease),
            common::http::StreamBody{std::make_unique<GatedSource>(data_), data_.size()});
        std::vector<char> buf(64 * 1024);
        (void)co_await std::get<common::http::StreamBody>(body).reader->read_some(buf);
      },
      net::detached);
  io_.run();
  pool_.join();  // the discard runs on the pool
  EXPECT_FALSE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

}  // namespace
}  // namespace glance::api
