// PooledDigests and BlockingPool: the same digests as hashing in one go, whatever the chunk
// boundaries, and awaiting pool work leaves the I/O thread free.

#include "store/pooled_digests.h"
#include "common/hex_digest.h"
#include "store/blocking_pool.h"
#include "tests/support/test_data.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace glance::store {
namespace {

namespace net = boost::asio;

// Runs `task` to completion on a one-thread io_context; fails the test if it does not end
// within a generous bound (it would hang if an await never resumed).
template <class T>
T run_on_io(net::awaitable<T> task) {
  net::io_context io;
  std::optional<T> result;
  net::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    result = std::move(value);
  });
  io.run_for(std::chrono::seconds(30));
  if (!result) throw std::runtime_error("the coroutine did not finish");
  return std::move(*result);
}

PooledDigests::Hex in_one_go(const std::string& data) {
  common::Md5Digest md5;
  common::Sha256Digest sha256;
  md5.update(data);
  sha256.update(data);
  return {md5.hex_final(), sha256.hex_final()};
}

// Feeds `data` in chunks of the given sizes (cycled), each a view into `data`.
net::awaitable<PooledDigests::Hex> digest_in_chunks(BlockingPool& pool, const std::string& data,
                                                    std::vector<size_t> sizes) {
  PooledDigests digests(pool);
  size_t at = 0;
  for (size_t i = 0; at < data.size(); ++i) {
    size_t n = std::min(sizes[i % sizes.size()], data.size() - at);
    co_await digests.add(std::span<const char>(data.data() + at, n));
    at += n;
  }
  EXPECT_EQ(digests.bytes(), data.size());
  co_return co_await digests.finish();
}

TEST(PooledDigests, KnownVector) {
  BlockingPool pool(2);
  const std::string abc = "abc";
  auto hex = run_on_io(digest_in_chunks(pool, abc, {1}));
  EXPECT_EQ(hex.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PooledDigests, EmptyInputGivesTheDigestsOfNothing) {
  BlockingPool pool(2);
  auto hex = run_on_io(digest_in_chunks(pool, "", {1}));
  EXPECT_EQ(hex.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(PooledDigests, SameDigestsAsInOneGoForAnyChunkBoundaries) {
  BlockingPool pool(3);
  const std::string data = testing::random_bytes((3 << 20) + 17, 7);
  const auto expected = in_one_go(data);
  const std::vector<std::vector<size_t>> layouts = {
      {1 << 20},              // the upload's chunk size
      {(1 << 20) - 1},        // boundaries off by one
      {1, 63, 64, 65, 4096},  // tiny and block-sized pieces, mixed
      {0, 1000, 0, 333333},   // empty chunks in between
      {data.size()},          // one chunk
  };
  for (const auto& sizes : layouts) {
    auto hex = run_on_io(digest_in_chunks(pool, data, sizes));
    EXPECT_EQ(hex.md5, expected.md5) << "first chunk size " << sizes[0];
    EXPECT_EQ(hex.sha256, expected.sha256) << "first chunk size " << sizes[0];
  }
}

TEST(PooledDigests, ManyAtOnceOnAOneThreadPool) {
  BlockingPool pool(1);
  net::io_context io;
  std::vector<std::string> inputs;
  for (unsigned i = 0; i < 20; ++i) inputs.push_back(testing::random_bytes(200000 + i, i));
  std::vector<std::optional<PooledDigests::Hex>> results(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    net::co_spawn(io, digest_in_chunks(pool, inputs[i], {65536, 1000}),
                  [&results, i](std::exception_ptr, PooledDigests::Hex hex) { results[i] = hex; });
  io.run_for(std::chrono::seconds(30));
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_TRUE(results[i]) << i;
    EXPECT_EQ(results[i]->md5, in_one_go(inputs[i]).md5) << i;
    EXPECT_EQ(results[i]->sha256, in_one_go(inputs[i]).sha256) << i;
  }
}

TEST(BlockingPool, RunWorksOnAPoolThreadAndResumesOnTheCallersThread) {
  BlockingPool pool(2);
  auto task = [&pool]() -> net::awaitable<bool> {
    const auto io_thread = std::this_thread::get_id();
    auto worker = co_await pool.run([] { return std::this_thread::get_id(); });
    co_return worker != io_thread&& std::this_thread::get_id() == io_thread;
  };
  EXPECT_TRUE(run_on_io(task()));
}

// A job stuck (a hung disk, here a promise nobody has fulfilled yet) must not hold up the
// I/O thread: the handler that unblocks it runs on that same thread while the job is awaited.
TEST(PoolJob, AwaitingAStuckJobLeavesTheIoThreadFree) {
  BlockingPool pool(1);
  net::io_context io;
  std::promise<void> release;
  auto released = release.get_future().share();
  PoolJob job;
  bool awaited = false;
  job.start(pool, [released] { released.wait(); });
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        co_await job.wait();
        awaited = true;
      },
      net::detached);
  net::post(io, [&] { release.set_value(); });
  io.run_for(std::chrono::seconds(30));
  EXPECT_TRUE(awaited);
  EXPECT_TRUE(job.idle());
}

TEST(PoolJob, WaitOnAnIdleJobReturnsAtOnce) {
  BlockingPool pool(1);
  PoolJob job;
  auto task = [&]() -> net::awaitable<bool> {
    co_await job.wait();
    co_return job.idle();
  };
  EXPECT_TRUE(run_on_io(task()));
}

}  // namespace
}  // namespace glance::store
