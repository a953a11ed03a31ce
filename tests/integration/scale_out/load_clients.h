#pragma once

// Clients that upload and download images through HAProxy on threads of their own while a
// test kills daemons behind it. Each request is recorded with the phases the test was in when
// the request started and ended, so that a test can demand that every request started after
// HAProxy took a dead node out succeeded, and tolerate failures only of those in flight at
// the kill.

#include "tests/support/eventually.h"
#include "tests/support/test_data.h"
#include "tests/support/timed_http_client.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace glance::testing::scale_out {

struct Outcome {
  int phase = 0;      // when the request started
  int end_phase = 0;  // when its answer (or failure) came
  bool upload = false;
  bool ok = false;
  std::string what;   // the status line or failure, for messages
  std::string id;     // an upload's image, once the api named it
  unsigned seed = 0;  // an upload's data: random_bytes(upload_size(seed), seed)
};

inline size_t upload_size(unsigned seed) {
  return 64 * 1024 + seed;
}

class LoadClients {
 public:
  // `threads` clients of HAProxy's api frontend at `port`; each alternates an upload of a new
  // public image and a download of `seed_id`, whose bytes are `seed_data`.
  LoadClients(int port, std::string seed_id, std::string seed_data, size_t threads = 2)
      : port_(port), seed_id_(std::move(seed_id)), seed_data_(std::move(seed_data)) {
    for (size_t t = 0; t < threads; ++t) threads_.emplace_back([this, t] { run(t); });
  }
  ~LoadClients() { stop(); }

  void set_phase(int phase) { phase_ = phase; }
  // Waits until at least `n` requests that started in `phase` have ended, per thread.
  bool wait_for(int phase, size_t n, std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
          std::lock_guard lock(mutex_);
          std::vector<size_t> per(threads_.size());
          for (const auto& [thread, o] : outcomes_)
            if (o.phase == phase) ++per[thread];
          for (size_t c : per)
            if (c < n) return false;
          return true;
        },
        timeout);
  }
  void stop() {
    stopping_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::vector<Outcome> outcomes() const {
    std::lock_guard lock(mutex_);
    std::vector<Outcome> out;
    for (const auto& [thread, o] : outcomes_) out.push_back(o);
    return out;
  }

 private:
  void run(size_t thread) {
    for (unsigned i = 0; !stopping_; ++i) {
      Outcome o;
      o.phase = phase_;
      if (i % 2 == 0) {
        o.upload = true;
        o.seed = next_seed_++;
        upload(o);
      } else {
        download(o);
      }
      o.end_phase = phase_;
      std::lock_guard lock(mutex_);
      outcomes_.emplace_back(thread, std::move(o));
    }
  }

  void upload(Outcome& o) {
    auto r =
        timed_request(port_, "POST", "/v1/images",
                      with(kHeaders, {{"x-image-meta-name", "load-" + std::to_string(o.seed)}}),
                      random_bytes(upload_size(o.seed), o.seed), std::chrono::seconds(60));
    o.what = r.answered ? std::to_string(r.response.status) + " " + r.response.body : r.failure;
    if (!r.answered || r.response.status != 201) return;
    try {
      auto image = r.response.json()["image"];
      o.id = image["id"].get<std::string>();
      o.ok = image["status"] == "active" && image["size"] == upload_size(o.seed);
    } catch (const std::exception&) {
      o.ok = false;
    }
  }

  void download(Outcome& o) {
    auto r =
        timed_request(port_, "GET", "/v1/images/" + seed_id_, {}, "", std::chrono::seconds(60));
    o.what = r.answered ? std::to_string(r.response.status) : r.failure;
    o.ok = r.answered && r.response.status == 200 && r.response.body == seed_data_;
  }

  static inline const HeaderList kHeaders = {{"x-image-meta-disk_format", "raw"},
                                             {"x-image-meta-container_format", "bare"},
                                             {"x-image-meta-is_public", "True"},
                                             {"Content-Type", "application/octet-stream"}};
  const int port_;
  const std::string seed_id_;
  const std::string seed_data_;
  std::atomic<int> phase_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> next_seed_{1000};
  mutable std::mutex mutex_;
  std::vector<std::pair<size_t, Outcome>> outcomes_;
  std::vector<std::thread> threads_;
};

}  // namespace glance::testing::scale_out
