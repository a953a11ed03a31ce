// Chaos: clients upload, download, update and delete images while glance-api and
// glance-registry are SIGKILLed and MariaDB is restarted or SIGKILLed at random moments.
// Afterwards, with every daemon up again and the orphan reaper's time passed:
// - every image a client was told is active downloads byte-exact, unless that client deleted it;
// - every active image has its data in the file store, of its size and checksum;
// - no data in the file store lacks an active image (and no partial file is left);
// - no image stays saving.
// The random choices come from one seed, printed at the start (GLANCE_CHAOS_SEED sets it,
// GLANCE_CHAOS_SECONDS the length of the chaos); the timing of the faults is the machine's.

#include "common/hex_digest.h"
#include "tests/support/daemon.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/test_data.h"
#include "tests/support/timed_http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace glance::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// upload_orphan_timeout: short, so that the test waits little past the chaos, yet several
// lease renewals long, so that a MariaDB restart does not make every live upload look dead.
constexpr int kOrphanTimeoutSeconds = 6;
constexpr int kClients = 3;
// Longer than anything the api may take to answer: an activation read-back (30 s) included.
constexpr auto kRequestTimeout = 90s;

unsigned env_number(const char* name, unsigned fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<unsigned>(std::stoul(v)) : fallback;
}

std::string md5_of(const std::string& bytes) {
  return common::md5_hex(std::span<const char>(bytes.data(), bytes.size()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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

// A registry on a fixed port (so the api's configuration stays valid across its restarts)
// and an api on whatever port it gets, both replaced by new processes when killed.
class Cluster {
 public:
  Cluster()
      : db_url_(MariadbServer::instance().fresh_database()),
        datadir_(make_temp_dir("glance-chaos-store") + "/images") {
    Daemon schema(registry_binary(), registry_config(db_url_));
    auto [code, out] =
        Daemon::run(manage_binary(), "--config-file " + schema.config_path() + " db_sync");
    if (code != 0) throw std::runtime_error("db_sync failed: " + out);
    start_registry();
    start_api();
  }

  int api_port() const { return api_port_.load(); }
  int registry_port() const { return registry_port_; }
  const std::string& datadir() const { return datadir_; }
  std::string database() const { return db_url_.substr(db_url_.rfind('/') + 1); }
  Daemon& api() { return *apis_.back(); }
  Daemon& registry() { return *registries_.back(); }

  // SIGKILLs the daemon and starts a new one. Returns false, with the reason, when the old
  // one had already exited on its own: a crash the chaos did not cause.
  bool kill_and_restart_api(std::string* why) {
    bool ours = kill(api(), why);
    start_api();
    return ours;
  }
  bool kill_and_restart_registry(std::string* why) {
    bool ours = kill(registry(), why);
    start_registry();
    return ours;
  }

  size_t count_log_lines(const std::string& needle) const {
    size_t n = 0;
    for (const auto& daemons : {&apis_, &registries_})
      for (const auto& d : *daemons) {
        std::istringstream log(d->log());
        for (std::string line; std::getline(log, line);)
          n += line.find(needle) != std::string::npos;
      }
    return n;
  }

  // Every line of every daemon's log that mentions `needle`.
  std::string log_lines(const std::string& needle) const {
    std::string out;
    auto scan = [&](const char* who, const std::vector<std::unique_ptr<Daemon>>& daemons) {
      for (size_t i = 0; i < daemons.size(); ++i) {
        std::istringstream log(daemons[i]->log());
        for (std::string line; std::getline(log, line);)
          if (line.find(needle) != std::string::npos)
            out += std::string(who) + "#" + std::to_string(i) + ": " + line + "\n";
      }
    };
    scan("api", apis_);
    scan("registry", registries_);
    return out;
  }

 private:
  static bool kill(Daemon& daemon, std::string* why) {
    if (int status = daemon.wait_exit(0ms); status != -1) {
      *why = "exited on its own with status " + std::to_string(status) + ":\n" + daemon.log();
      return false;
    }
    daemon.signal(SIGKILL);
    daemon.wait_exit(60s);
    return true;
  }

  void start_registry() {
    std::string config = registry_config(db_url_);
    if (registry_port_ != 0) {
      auto at = config.find("bind_port = 0");
      config.replace(at, 13, "bind_port = " + std::to_string(registry_port_));
    }
    // The port of a killed process may be held a moment longer; a few tries.
    for (int attempt = 1;; ++attempt) {
      registries_.push_back(std::make_unique<Daemon>(registry_binary(), config));
      try {
        registries_.back()->start();
        registry_port_ = registries_.back()->port();
        return;
      } catch (const std::exception&) {
        if (attempt == 10) throw;
      }
    }
  }

  void start_api() {
    std::string config = "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n";
    config += "registry_host = 127.0.0.1\nregistry_port = " + std::to_string(registry_port_);
    config += "\nregistry_client_timeout = 20\nupload_orphan_timeout = " +
              std::to_string(kOrphanTimeoutSeconds) + "\n";
    config += "[glance_store]\nstores = file\ndefault_store = file\n";
    config += "filesystem_store_datadir = " + datadir_ + "\n";
    apis_.push_back(std::make_unique<Daemon>(api_binary(), config));
    apis_.back()->start();
    api_port_ = apis_.back()->port();
  }

  std::string db_url_;
  std::string datadir_;
  int registry_port_ = 0;
  std::atomic<int> api_port_{0};
  std::vector<std::unique_ptr<Daemon>> registries_;
  std::vector<std::unique_ptr<Daemon>> apis_;
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

struct StoredImage {
  std::string status;
  std::string checksum;
  long long size = -1;
  std::vector<std::string> locations;
};

// Every live image row, as MariaDB holds it.
std::map<std::string, StoredImage> inventory(const std::string& database) {
  std::map<std::string, StoredImage> images;
  auto& db = MariadbServer::instance();
  std::istringstream rows(db.sql(
      "SELECT id, status, IFNULL(checksum, '-'), IFNULL(size, -1) FROM images WHERE deleted = 0",
      database));
  for (std::string id, status, checksum, size; rows >> id >> status >> checksum >> size;)
    images[id] = {status, checksum, std::stoll(size), {}};
  std::istringstream locations(
      db.sql("SELECT image_id, value FROM image_locations WHERE deleted = 0", database));
  for (std::string id, value; locations >> id >> value;) images[id].locations.push_back(value);
  return images;
}

using Finding = std::pair<std::string, std::string>;  // image id (or empty), what is wrong

// What is wrong with the file store against the images, reading no data, so that it can be
// polled until the reaper is done: an image still saving, a partial file, a data file that no
// active image names, an active image without a file of its size.
std::vector<Finding> layout_findings(const std::string& datadir,
                                     const std::map<std::string, StoredImage>& images) {
  std::vector<Finding> out;
  for (const auto& e : fs::directory_iterator(datadir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".")) {  // ".<id>.<pid>-<n>.partial"
      out.emplace_back(name.substr(1, 36), "partial file " + name + " is left");
      continue;
    }
    auto it = images.find(name);
    const std::string where = "file://" + e.path().string();
    if (it == images.end() || it->second.status != "active" ||
        std::find(it->second.locations.begin(), it->second.locations.end(), where) ==
            it->second.locations.end())
      out.emplace_back(name, "data file " + name + " lacks an active image naming it (status " +
                                 (it == images.end() ? std::string("none") : it->second.status) +
                                 ")");
  }
  for (const auto& [id, image] : images) {
    if (image.status == "saving") out.emplace_back(id, "image " + id + " is still saving");
    if (image.status != "active") continue;
    const std::string file = datadir + "/" + id;
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (image.locations != std::vector<std::string>{"file://" + file})
      out.emplace_back(id, "active image " + id + " names data other than its file");
    else if (ec || static_cast<long long>(size) != image.size)
      out.emplace_back(id,
                       "active image " + id + " of size " + std::to_string(image.size) +
                           " lacks its data file: " + (ec ? ec.message() : std::to_string(size)));
  }
  return out;
}

TEST(Chaos, ToldActiveImagesSurviveKilledDaemonsAndMariadbRestartsAndCrashes) {
  const unsigned seed = env_number("GLANCE_CHAOS_SEED", 20261206);
  const auto length = std::chrono::seconds(env_number("GLANCE_CHAOS_SECONDS", 60));
  std::cout << "chaos seed " << seed << " (GLANCE_CHAOS_SEED), " << length.count()
            << " s (GLANCE_CHAOS_SECONDS)" << std::endl;
  RecordProperty("seed", static_cast<int>(seed));
  Cluster cluster;
  Findings findings;
  std::seed_seq seeds{seed};
  std::vector<unsigned> streams(kClients + 1);
  seeds.generate(streams.begin(), streams.end());

  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i)
    clients.push_back(std::make_unique<Client>(i, streams[i], cluster, findings));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& c : clients) threads.emplace_back([&c, &stop] { c->run(stop); });
  Monkey monkey(streams[kClients], cluster, findings);
  monkey.run(length);
  stop = true;
  for (auto& t : threads) t.join();
  const auto calm = std::chrono::steady_clock::now();

  std::map<std::string, int> counts = monkey.counts();
  for (const auto& c : clients)
    for (const auto& [what, n] : c->counts()) counts[what] += n;
  for (const auto& [what, n] : counts) std::cout << "  " << what << ": " << n << "\n";

  // The reaper's time: the orphan timeout after the last api start, a pass interval more,
  // and room for a slow (sanitized) machine. Past it nothing may stay saving or half-deleted.
  const auto reaping = std::chrono::seconds(kOrphanTimeoutSeconds * 2 + 30);
  std::vector<Finding> unsettled;
  const bool settled = eventually(
      [&] {
        unsettled = layout_findings(cluster.datadir(), inventory(cluster.database()));
        return unsettled.empty();
      },
      reaping);
  std::cout << (settled ? "settled " : "not settled ")
            << (std::chrono::steady_clock::now() - calm) / 1ms << " ms after the chaos"
            << std::endl;
  for (auto& [id, what] : unsettled) findings.add(id, what);
  for (const char* event :
       {"orphan reaper killed image", "orphan reaper finished the delete",
        "orphan reaper removed the abandoned partial file", "has an unknown outcome",
        "was activated although", "lost the MySQL connection during a write"})
    std::cout << "  log lines \"" << event << "\": " << cluster.count_log_lines(event) << "\n";

  // Every active image's data is byte-exact: its file has the image's checksum.
  const auto images = inventory(cluster.database());
  size_t active = 0;
  for (const auto& [id, image] : images) {
    if (image.status != "active") continue;
    ++active;
    const std::string data = read_file(cluster.datadir() + "/" + id);
    if (md5_of(data) != image.checksum)
      findings.add(id, "active image " + id + " has data of md5 " + md5_of(data) +
                           ", not its checksum " + image.checksum);
  }
  HttpClient api(cluster.api_port());
  // Every image a client was told is active, and did not delete, downloads byte-exact.
  size_t told = 0;
  for (const auto& c : clients) {
    for (const auto& t : c->active()) {
      ++told;
      auto it = images.find(t.id);
      if (it == images.end() || it->second.status != "active") {
        findings.add(t.id, "told-active image " + t.id + " is " +
                               (it == images.end() ? std::string("gone") : it->second.status));
        continue;
      }
      auto r = api.get("/v1/images/" + t.id);
      if (r.status != 200 || md5_of(r.body) != t.md5 || r.body.size() != t.size)
        findings.add(t.id, "told-active image " + t.id + " downloads " + std::to_string(r.status) +
                               " with " + std::to_string(r.body.size()) + " bytes");
    }
  }
  std::cout << active << " active images, " << told << " of them told active and kept" << std::endl;
  EXPECT_GT(told, 0u) << "the chaos left no client a single successful upload";
  const auto found = findings.all();
  for (size_t i = 0; i < found.size(); ++i) {
    const auto& [id, what] = found[i];
    // The first few with what the daemons logged about the image.
    ADD_FAILURE() << what << (i < 5 && !id.empty() ? "\n" + cluster.log_lines(id) : "");
  }
  EXPECT_TRUE(answers_healthcheck(cluster.api()));
  EXPECT_TRUE(answers_healthcheck(cluster.registry()));
}

}  // namespace
}  // namespace glance::testing
