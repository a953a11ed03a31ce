#pragma once

#include <chrono>
#include <functional>

namespace glance::testing {

// Polls `condition` until it returns true or `timeout` has passed, and returns whether it
// held. The condition runs at once, then after pauses that start at 1 ms and double up to
// 50 ms, so a fast daemon is seen fast while a slow one is not polled in a busy loop; it runs
// one last time at the deadline. Tests wait on conditions with this, never on a fixed time.
// The condition runs on the calling thread and may block; its own time counts towards the
// timeout.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace glance::testing
