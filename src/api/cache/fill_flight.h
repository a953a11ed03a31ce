#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace glance::api {

// One fill of the cache as the downloads that follow it see it: how far the fill has written
// the image into its incomplete/ file, and how it ended. The fill (its lease, then its pump)
// reports; every download of the image, the one that started the fill included, follows:
// reads the file through read_fd() (pread, so they share it) and waits for news with
// changed(). Shared (std::shared_ptr) by the fill, the followers and the cache's table of
// running fills; owns read_fd once start() gave it, closing it when the last owner goes. Safe
// for concurrent use.
class FillFlight {
 public:
  enum class Stage {
    opening,    // the download that started the fill is asking the store for the image
    streaming,  // the store answered: `written` bytes are in the file so far
    committed,  // the whole image passed its size and checksum checks and is in the file
    failed      // the store's stream, the checks or the disk failed, or nobody followed on
  };
  struct Progress {
    Stage stage = Stage::opening;
    uint64_t written = 0;
    bool operator==(const Progress&) const = default;
  };

  // A fill of an image of `size` bytes (> 0) whose MD5 must be `checksum`.
  FillFlight(uint64_t size, std::string checksum) : size_(size), checksum_(std::move(checksum)) {}
  ~FillFlight();
  FillFlight(const FillFlight&) = delete;
  FillFlight& operator=(const FillFlight&) = delete;

  uint64_t size() const { return size_; }
  const std::string& checksum() const { return checksum_; }
  int read_fd() const { return read_fd_; }  // valid once the stage is past opening
  Progress progress() const;

  // The fill's reports, each waking every waiting follower. start() hands over a
  // descriptor open for reading on the fill's file; wrote() is the total written so far;
  // finish() settles the flight (later reports are ignored).
  void start(int read_fd);
  void wrote(uint64_t total);
  void finish(bool committed);

  // Resumes the caller, on its own executor, with the progress as soon as it differs from
  // `seen` (at once when it does already).
  boost::asio::awaitable<Progress> changed(Progress seen);

  // Followers count themselves in and out. join() is false once the flight has failed.
  bool join();
  void leave();
  // For the fill's pump, between chunks: true while followers remain; when none do, the
  // flight fails there and then, so that nobody joins a fill about to be discarded.
  bool still_followed();

 private:
  struct Waiter {
    boost::asio::any_completion_handler<void(Progress)> handler;
    boost::asio::any_io_executor home;
  };
  // Called with mutex_ held; returns the waiters to wake once it is released.
  std::vector<Waiter> update(Progress next);
  static void wake(std::vector<Waiter> waiters, Progress now);

  const uint64_t size_;
  const std::string checksum_;
  mutable std::mutex mutex_;
  int read_fd_ = -1;
  Progress progress_;
  size_t followers_ = 0;
  std::vector<Waiter> waiters_;
};

// What a follower that has read `done` bytes may do next, given the flight's `now`. The
// image's last byte is released only once the fill has committed, so no follower completes
// a body that failed its checks; a failed flight ends the follower's stream there.
struct FollowStep {
  enum class Kind { read, wait, end, fail } kind;
  uint64_t bytes = 0;  // for read: how many may be read from offset `done`
};
FollowStep next_follow_step(FillFlight::Progress now, uint64_t size, uint64_t done);

}  // namespace glance::api
