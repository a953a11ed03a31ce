#pragma once

#include "common/error.h"
#include "common/http/response.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace glance::api {

// A cap on how many of one kind of work (uploads, copies) run at once, so that a burst of
// clients gets answers instead of exhausting the daemon's memory and descriptors. try_acquire()
// never waits: past the cap the caller refuses the request at once (refused()). Safe for
// concurrent use; must outlive its slots.
class ConcurrencyLimit {
 public:
  // `max` == 0: no cap. `what` names the work in the refusal ("uploads", "copies").
  ConcurrencyLimit(size_t max, std::string what) : max_(max), what_(std::move(what)) {}
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  // One unit of the limit, held while the work runs; released when destroyed. Move-only.
  class Slot {
   public:
    Slot(Slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_) --owner_->in_use_;
    }

   private:
    friend class ConcurrencyLimit;
    explicit Slot(ConcurrencyLimit* owner) : owner_(owner) {}
    ConcurrencyLimit* owner_;
  };

  // A slot, or nothing when `max` are in use.
  std::optional<Slot> try_acquire() {
    size_t now = in_use_.fetch_add(1) + 1;
    if (max_ != 0 && now > max_) {
      --in_use_;
      return std::nullopt;
    }
    return Slot(this);
  }
  size_t in_use() const { return in_use_; }

  // What a refused request is answered: 503 in Glance's error format, with a Retry-After, so
  // clients (glanceclient retries 503) come back later instead of failing for good.
  common::http::Response refused(std::string_view accept) const {
    auto res = common::http::to_response(
        common::Error::unavailable("Too many concurrent " + what_ + " (limit " +
                                   std::to_string(max_) + "); try again later."),
        accept);
    res.headers.set("Retry-After", std::to_string(kRetryAfter.count()));
    return res;
  }

  // Long enough for a few small uploads to finish, short enough that a retrying client does not
  // idle.
  static constexpr std::chrono::seconds kRetryAfter{5};

 private:
  const size_t max_;
  const std::string what_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace glance::api
