#pragma once

#include "tests/integration/chaos/chaos_cluster.h"
#include "tests/integration/chaos/chaos_end_state.h"
#include "tests/support/test_data.h"
#include "tests/support/timed_http_client.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace glance::testing::chaos {

// Longer than anything the api may take to answer: an activation read-back (30 s) included.
constexpr auto kRequestTimeout = 90s;

// What the test found wrong, collected from every thread: the image concerned (or empty)
// and what is wrong with it.
class Findings {
 public:
  void add(std::string id, std::string what) {
    std::lock_guard lock(mutex_);
    all_.emplace_back(std::move(id), std::move(what));
  }
  std::vector<std::pair<std::string, std::string>> all() const {
    std::lock_guard lock(mutex_);
    return all_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> all_;
};

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

// An image whose client was told it is active, with the checksum of the bytes it sent.
struct Told {
  std::string id;
  std::string md5;
  size_t size = 0;
};

// One client: its own images, a random mix of operations on them, what it was told.
class Client {
 public:
  Client(int number, unsigned seed, Cluster& cluster, Findings& findings)
      : number_(number), random_(seed), cluster_(cluster), findings_(findings) {}

  void run(const std::atomic<bool>& stop) {
    try {
      run_until(stop);
    } catch (const std::exception& e) {
      findings_.add("", "client " + std::to_string(number_) + " stopped: " + e.what());
    }
  }

  // Told active and not (maybe) deleted since.
  const std::vector<Told>& active() const { return active_; }
  const std::map<std::string, int>& counts() const { return counts_; }

 private:
  void run_until(const std::atomic<bool>& stop) {
    while (!stop) {
      int dice = std::uniform_int_distribution<int>(0, 99)(random_);
      if (dice < 30 || active_.empty())
        upload();
      else if (dice < 40)
        upload_in_two_steps();
      else if (dice < 75)
        download();
      else if (dice < 90)
        update();
      else
        remove();
    }
  }

  TimedReply call(const std::string& method, const std::string& target,
                  const HeaderList& headers = {}, const std::string& body = "") {
    auto reply = timed_request(cluster_.api_port(), method, target, headers, body, kRequestTimeout);
    ++counts_[method + (reply.answered ? " " + std::to_string(reply.response.status) : " -")];
    // While the api restarts, a pause rather than a busy loop of refused connections.
    if (!reply.answered && reply.failure.starts_with("connect")) std::this_thread::sleep_for(20ms);
    return reply;
  }

  std::string fresh_data() {
    size_t size = std::uniform_int_distribution<size_t>(1, 768 * 1024)(random_);
    return random_bytes(size, static_cast<unsigned>(random_()));
  }

  // Records an image the api says is active with `data`; a wrong checksum or size is a finding.
  void told_active(const nlohmann::json& image, const std::string& data, const char* how) {
    if (image.value("status", "") != "active") return;
    std::string id = image.value("id", "");
    if (image.value("checksum", "") != md5_of(data) || image.value("size", 0u) != data.size()) {
      findings_.add(id, std::string(how) + " of " + id + " answered active with checksum " +
                            image.value("checksum", "?") + ", size " + image["size"].dump() +
                            " for data of md5 " + md5_of(data) + ", size " +
                            std::to_string(data.size()));
      return;
    }
    active_.push_back({id, md5_of(data), data.size()});
  }

  void upload() {
    std::string data = fresh_data();
    auto r = call("POST", "/v1/images",
                  with(kRawBare, {{"x-image-meta-name", "c" + std::to_string(number_)}}), data);
    if (r.answered && r.response.status == 201)
      told_active(r.response.json()["image"], data, "upload");
  }

  void upload_in_two_steps() {
    auto r = call("POST", "/v1/images",
                  {{"x-image-meta-name", "q" + std::to_string(number_)},
                   {"x-image-meta-disk_format", "raw"},
                   {"x-image-meta-container_format", "bare"}});
    if (!r.answered || r.response.status != 201) return;
    std::string id = r.response.json()["image"]["id"];
    std::string data = fresh_data();
    auto put =
        call("PUT", "/v1/images/" + id, {{"Content-Type", "application/octet-stream"}}, data);
    if (put.answered && put.response.status == 200)
      told_active(put.response.json()["image"], data, "upload to queued");
  }

  size_t pick() { return std::uniform_int_distribution<size_t>(0, active_.size() - 1)(random_); }

  void download() {
    const Told told = active_[pick()];
    auto r = call("GET", "/v1/images/" + told.id);
    if (!r.answered) return;
    if (r.response.status == 200 && md5_of(r.response.body) != told.md5)
      findings_.add(told.id, "download of active " + told.id + " gave " +
                                 std::to_string(r.response.body.size()) + " bytes of md5 " +
                                 md5_of(r.response.body) + ", not " + std::to_string(told.size) +
                                 " of " + told.md5);
    if (r.response.status == 404)
      findings_.add(told.id, "download of active " + told.id + " answered 404: " + r.response.body);
  }

  void update() {
    const Told told = active_[pick()];
    auto r = call("PUT", "/v1/images/" + told.id,
                  {{"x-image-meta-property-touched", std::to_string(random_())}});
    if (r.answered && r.response.status == 200 &&
        r.response.json()["image"].value("status", "") != "active")
      findings_.add(told.id, "update of active " + told.id + " answered " + r.response.body);
  }

  void remove() {
    size_t at = pick();
    const Told told = active_[at];
    // Whatever the answer, this client no longer expects the image to be there.
    active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(at));
    auto r = call("DELETE", "/v1/images/" + told.id);
    if (r.answered && r.response.status == 404)
      findings_.add(told.id, "delete of active " + told.id + " answered 404: " + r.response.body);
  }

  int number_;
  std::mt19937 random_;
  Cluster& cluster_;
  Findings& findings_;
  std::vector<Told> active_;
  std::map<std::string, int> counts_;
};

// Kills and restarts one component at a time, at random moments, until `stop`.
class Monkey {
 public:
  Monkey(unsigned seed, Cluster& cluster, Findings& findings)
      : random_(seed), cluster_(cluster), findings_(findings) {}

  void run(std::chrono::seconds length) {
    const auto end = std::chrono::steady_clock::now() + length;
    while (std::chrono::steady_clock::now() < end) {
      auto pause =
          std::chrono::milliseconds(std::uniform_int_distribution<int>(500, 3000)(random_));
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
          pause, std::max<std::chrono::nanoseconds>(0ns, end - std::chrono::steady_clock::now())));
      std::string why;
      switch (std::uniform_int_distribution<int>(0, 3)(random_)) {
        case 0:
          ++counts_["kill api"];
          if (!cluster_.kill_and_restart_api(&why)) findings_.add("", "glance-api " + why);
          break;
        case 1:
          ++counts_["kill registry"];
          if (!cluster_.kill_and_restart_registry(&why))
            findings_.add("", "glance-registry " + why);
          break;
        case 2:
          ++counts_["restart mariadb"];
          MariadbServer::instance().restart();
          break;
        default:
          // Transactions die mid-way and COMMITs go unanswered: the registry's read-back.
          ++counts_["crash mariadb"];
          MariadbServer::instance().crash_and_restart();
          break;
      }
    }
  }
  const std::map<std::string, int>& counts() const { return counts_; }

 private:
  std::mt19937 random_;
  Cluster& cluster_;
  Findings& findings_;
  std::map<std::string, int> counts_;
};

}  // namespace glance::testing::chaos
