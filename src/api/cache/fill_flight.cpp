#include "api/cache/fill_flight.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>

namespace glance::api {

namespace net = boost::asio;

FillFlight::~FillFlight() {
  if (read_fd_ >= 0) ::close(read_fd_);
}

FillFlight::Progress FillFlight::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

std::vector<FillFlight::Waiter> FillFlight::update(Progress next) {
  const Stage stage = progress_.stage;
  if (stage == Stage::committed || stage == Stage::failed || next == progress_) return {};
  progress_ = next;
  return std::exchange(waiters_, {});
}

void FillFlight::wake(std::vector<Waiter> waiters, Progress now) {
  for (auto& w : waiters)
    net::post(w.home, [h = std::move(w.handler), now]() mutable { std::move(h)(now); });
}

void FillFlight::start(int read_fd) {
  std::unique_lock lock(mutex_);
  if (progress_.stage != Stage::opening) {
    lock.unlock();
    ::close(read_fd);
    return;
  }
  read_fd_ = read_fd;
  auto waiters = update({Stage::streaming, progress_.written});
  const Progress now = progress_;
  lock.unlock();
  wake(std::move(waiters), now);
}

void FillFlight::wrote(uint64_t total) {
  std::unique_lock lock(mutex_);
  if (progress_.stage != Stage::streaming) return;
  auto waiters = update({Stage::streaming, total});
  const Progress now = progress_;
  lock.unlock();
  wake(std::move(waiters), now);
}

void FillFlight::finish(bool committed) {
  std::unique_lock lock(mutex_);
  auto waiters = update({committed ? Stage::committed : Stage::failed, progress_.written});
  const Progress now = progress_;
  lock.unlock();
  wake(std::move(waiters), now);
}

net::awaitable<FillFlight::Progress> FillFlight::changed(Progress seen) {
  return net::async_initiate<decltype(net::use_awaitable), void(Progress)>(
      [this, seen](auto handler) {
        auto home = net::get_associated_executor(handler);
        std::unique_lock lock(mutex_);
        if (progress_ != seen) {
          const Progress now = progress_;
          lock.unlock();
          net::post(home, [h = std::move(handler), now]() mutable { std::move(h)(now); });
          return;
        }
        waiters_.push_back({std::move(handler), home});
      },
      net::use_awaitable);
}

bool FillFlight::join() {
  std::lock_guard lock(mutex_);
  if (progress_.stage == Stage::failed) return false;
  ++followers_;
  return true;
}

void FillFlight::leave() {
  std::lock_guard lock(mutex_);
  --followers_;
}

bool FillFlight::still_followed() {
  std::unique_lock lock(mutex_);
  if (followers_ > 0) return true;
  auto waiters = update({Stage::failed, progress_.written});
  const Progress now = progress_;
  lock.unlock();
  wake(std::move(waiters), now);
  return false;
}

FollowStep next_follow_step(FillFlight::Progress now, uint64_t size, uint64_t done) {
  using Stage = FillFlight::Stage;
  using Kind = FollowStep::Kind;
  switch (now.stage) {
    case Stage::failed:
      return {Kind::fail};
    case Stage::committed:
      return done < size ? FollowStep{Kind::read, size - done} : FollowStep{Kind::end};
    case Stage::streaming: {
      // Everything but the last byte may go before the checks; a fill that wrote more than
      // the size fails them, so the surplus is never read.
      const uint64_t limit = size == 0 ? 0 : std::min(now.written, size - 1);
      return done < limit ? FollowStep{Kind::read, limit - done} : FollowStep{Kind::wait};
    }
    case Stage::opening:
      break;
  }
  return {Kind::wait};
}

}  // namespace glance::api
