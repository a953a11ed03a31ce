// Single flight of cache fills: what a follower may read at each stage of a fill, how a
// flight wakes those waiting on it, and the fills and downloads of a real ImageCache on a
// local disk, driven step by step on one io_context (no sockets, no sleeps): the fill goes
// at its store's pace, whichever download reads or stalls.

#include "api/cache/fill_flight.h"
#include "api/cache/fill_follower.h"
#include "api/cache/image_cache.h"
#include "common/hex_digest.h"
#include "store/blocking_pool.h"

#include <gtest/gtest.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

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

// An image in chunks of 64 KiB, as a store serves it: the chunk numbered `hold_at` waits for
// release() (held() meanwhile, keeping no work on the io_context, as a store that does not
// answer), and the one numbered `fail_at` fails, as a cut stream.
class GatedSource final : public common::http::BodyReader {
 public:
  static constexpr size_t kNever = std::numeric_limits<size_t>::max();
  explicit GatedSource(std::string data, size_t hold_at = kNever, size_t fail_at = kNever)
      : data_(std::move(data)), hold_at_(hold_at), fail_at_(fail_at) {}
  ~GatedSource() override {
    if (destroyed_) *destroyed_ = true;
  }
  // Sets *destroyed when this source goes, for a test that must not touch it afterwards.
  void report_destruction_to(bool* destroyed) { destroyed_ = destroyed; }
  net::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override {
    if (chunks_ == hold_at_ && !released_) co_await wait_release();
    if (chunks_ == fail_at_) co_return common::Error::unavailable("cut");
    const size_t n = std::min({buf.size(), data_.size() - done_, size_t{64 * 1024}});
    std::copy_n(data_.data() + done_, n, buf.data());
    done_ += n;
    ++chunks_;
    co_return n;
  }
  bool held() const { return waiter_.has_value(); }
  void release() {
    released_ = true;
    if (auto h = std::exchange(waiter_, std::nullopt)) net::post(home_, std::move(*h));
  }
  // Forgets the held read, as an io_context shutting down destroys a pending operation: the
  // coroutine reading, and with it this source, is destroyed.
  void drop() { auto h = std::exchange(waiter_, std::nullopt); }

 private:
  net::awaitable<void> wait_release() {
    return net::async_initiate<decltype(net::use_awaitable), void()>(
        [this](auto handler) {
          home_ = net::get_associated_executor(handler);
          waiter_.emplace(std::move(handler));
        },
        net::use_awaitable);
  }

  std::string data_;
  size_t hold_at_;
  size_t fail_at_;
  size_t done_ = 0;
  size_t chunks_ = 0;
  bool released_ = false;
  std::optional<net::any_completion_handler<void()>> waiter_;
  net::any_io_executor home_;
  bool* destroyed_ = nullptr;
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
  // Runs the io_context until `done()`, false if that takes over a minute: a coroutine held
  // by a store (or, were the fill to wait for a client, by a stalled download) keeps work on
  // it, so run() would not return.
  template <class Done>
  bool run_until(Done done) {
    io_.restart();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      io_.run_one_for(std::chrono::milliseconds(100));
    }
    return true;
  }

  const std::string data_ = pattern(10 * 64 * 1024 + 123);
  CacheConfig config_;
  store::BlockingPool pool_{2};
  net::io_context io_;
  std::unique_ptr<ImageCache> cache_;
  common::Image image_;
};

TEST_F(FillFlightCache, FollowersOfTheFirstDownloadGetTheWholeImageWhenItLeaves) {
  std::string a, b;
  bool a_ok = false, b_ok = false, a_followed = false, b_followed = false;
  std::string first_got;
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
        auto& first = std::get<common::http::StreamBody>(body).reader;
        std::vector<char> buf(64 * 1024);
        auto n = co_await first->read_some(buf);
        if (n) first_got.assign(buf.data(), *n);
        first.reset();  // its client left after one chunk
      },
      net::detached);
  io_.run();
  EXPECT_FALSE(first_got.empty());
  EXPECT_EQ(first_got, data_.substr(0, first_got.size()));
  EXPECT_TRUE(a_followed && b_followed);
  EXPECT_TRUE(a_ok && b_ok);
  EXPECT_TRUE(a == data_);
  EXPECT_TRUE(b == data_);
  EXPECT_TRUE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

TEST_F(FillFlightCache, AStalledDownloadHoldsBackNeitherTheFillNorItsFollowers) {
  std::string a, first_got;
  bool a_ok = false, a_followed = false, first_ok = false;
  std::optional<store::ImageBody> first;  // read by nobody until the fill is over
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        follow(a, a_ok, a_followed);
        first = co_await cache_->fill(
            std::move(*lease),
            common::http::StreamBody{std::make_unique<GatedSource>(data_), data_.size()});
      },
      net::detached);
  ASSERT_TRUE(run_until([&] { return a_ok; }));
  io_.run();
  EXPECT_TRUE(a_followed);
  EXPECT_TRUE(a_ok);
  EXPECT_TRUE(a == data_);
  EXPECT_TRUE(cached());
  // Reading at last, the stalled download gets the whole image from the committed copy.
  ASSERT_TRUE(first);
  net::co_spawn(io_, drain(*std::get<common::http::StreamBody>(*first).reader, first_got, first_ok),
                net::detached);
  io_.restart();
  io_.run();
  EXPECT_TRUE(first_ok);
  EXPECT_TRUE(first_got == data_);
}

TEST_F(FillFlightCache, ACutFillEndsEveryDownloadWithAnErrorBeforeTheEnd) {
  std::string a, first_got;
  bool a_ok = false, a_followed = false, first_ok = false;
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        follow(a, a_ok, a_followed);
        auto body = co_await cache_->fill(
            std::move(*lease),
            common::http::StreamBody{std::make_unique<GatedSource>(data_, GatedSource::kNever, 3),
                                     data_.size()});
        co_await drain(*std::get<common::http::StreamBody>(body).reader, first_got, first_ok);
      },
      net::detached);
  io_.run();
  EXPECT_TRUE(a_followed);
  for (const auto* got : {&a, &first_got}) {
    EXPECT_LE(got->size(), 3u * 64 * 1024);
    EXPECT_EQ(*got, data_.substr(0, got->size()));
  }
  EXPECT_FALSE(a_ok);
  EXPECT_FALSE(first_ok);
  EXPECT_FALSE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

TEST_F(FillFlightCache, DataFailingItsChecksumReachesNoDownloadWhole) {
  std::string a, first_got;
  bool a_ok = false, a_followed = false, first_ok = false;
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
        co_await drain(*std::get<common::http::StreamBody>(body).reader, first_got, first_ok);
      },
      net::detached);
  io_.run();
  EXPECT_TRUE(a_followed);
  for (const auto* got : {&a, &first_got}) {
    EXPECT_LT(got->size(), corrupt.size());
    EXPECT_TRUE(*got == corrupt.substr(0, got->size()));
  }
  EXPECT_FALSE(a_ok);
  EXPECT_FALSE(first_ok);
  EXPECT_FALSE(cached());
}

TEST_F(FillFlightCache, AFillNobodyFollowsStopsAndIsDiscarded) {
  GatedSource* gate = nullptr;
  bool gate_gone = false;
  std::string first_got;
  bool first_left = false;
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        auto source = std::make_unique<GatedSource>(data_, 2);
        gate = source.get();
        gate->report_destruction_to(&gate_gone);
        auto body = co_await cache_->fill(
            std::move(*lease), common::http::StreamBody{std::move(source), data_.size()});
        std::vector<char> buf(64 * 1024);
        auto n = co_await std::get<common::http::StreamBody>(body).reader->read_some(buf);
        if (n) first_got.assign(buf.data(), *n);
        first_left = true;  // and its body goes with this coroutine
      },
      net::detached);
  // Until the only download left and either the store holds the third chunk or the pump,
  // finding nobody following between chunks, already stopped (the download may leave before
  // the pump reaches the third read: the order of the two is not fixed).
  ASSERT_TRUE(run_until([&] { return first_left && gate && (gate_gone || gate->held()); }));
  EXPECT_FALSE(first_got.empty());
  if (!gate_gone) gate->release();
  io_.restart();
  io_.run();
  pool_.join();            // the discard runs on the pool
  EXPECT_TRUE(gate_gone);  // the pump stopped and let go of the store
  EXPECT_FALSE(cached());
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
}

TEST_F(FillFlightCache, AFillCutByTheExitLeavesNoFile) {
  GatedSource* gate = nullptr;
  std::optional<store::ImageBody> first;
  net::co_spawn(
      io_,
      [&]() -> net::awaitable<void> {
        auto lease = co_await cache_->lead(image_);
        if (!lease) co_return;
        auto source = std::make_unique<GatedSource>(data_, 2);
        gate = source.get();
        first = co_await cache_->fill(std::move(*lease),
                                      common::http::StreamBody{std::move(source), data_.size()});
      },
      net::detached);
  ASSERT_TRUE(run_until([&] { return first && gate && gate->held(); }));
  // The daemon's exit: the pool stops, then the pending work is destroyed, the fill's pump
  // with it; its discard, posted to the stopped pool, never runs.
  pool_.join();
  gate->drop();
  io_.restart();
  io_.poll();  // the coroutines of a dropped operation are destroyed on their executor
  EXPECT_TRUE(fs::exists(fs::path(config_.dir) / "incomplete" / image_.id));
  cache_->discard_unsettled_fills();
  EXPECT_TRUE(fs::is_empty(fs::path(config_.dir) / "incomplete"));
  EXPECT_FALSE(cached());
}

}  // namespace
}  // namespace glance::api
