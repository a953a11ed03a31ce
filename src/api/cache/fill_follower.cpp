#include "api/cache/fill_follower.h"

#include "api/cache/fill_flight.h"
#include "store/blocking_pool.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;

FillFollower::~FillFollower() {
  flight_->leave();
}

net::awaitable<Result<size_t>> FillFollower::read_some(std::span<char> buf) {
  if (buf.empty()) co_return size_t{0};
  for (;;) {
    const auto now = flight_->progress();
    const auto step = next_follow_step(now, flight_->size(), done_);
    switch (step.kind) {
      case FollowStep::Kind::end:
        co_return size_t{0};
      case FollowStep::Kind::fail:
        co_return Error::unavailable("the image's data could not be read from its store");
      case FollowStep::Kind::wait:
        co_await flight_->changed(now);
        continue;
      case FollowStep::Kind::read:
        break;
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(step.bytes, buf.size()));
    const auto offset = static_cast<off_t>(done_);
    auto n = co_await pool_.run(
        [fd = flight_->read_fd(), offset, want, data = buf.data()]() -> Result<size_t> {
          ssize_t got;
          do {
            got = ::pread(fd, data, want, offset);
          } while (got < 0 && errno == EINTR);
          if (got < 0)
            return Error::internal(std::string("reading a cache fill: ") + strerror(errno));
          return static_cast<size_t>(got);
        });
    if (!n) co_return n.error();
    // The fill reported bytes its file does not hold: never pass that off as the end.
    if (*n == 0) co_return Error::internal("a cache fill's file is shorter than reported");
    done_ += *n;
    co_return *n;
  }
}

}  // namespace glance::api
