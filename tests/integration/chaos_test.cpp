// Chaos: clients upload, download, update and delete images while glance-api and
// glance-registry are SIGKILLed and MariaDB is restarted or SIGKILLed at random moments.
// Afterwards, with every daemon up again and the orphan reaper's time passed:
// - every image a client was told is active downloads byte-exact, unless that client deleted it;
// - every active image has its data in the file store, of its size and checksum;
// - no data in the file store lacks an active image (and no partial file is left);
// - no image stays saving.
// The random choices come from one seed, printed at the start (GLANCE_CHAOS_SEED sets it,
// GLANCE_CHAOS_SECONDS the length of the chaos); the timing of the faults is the machine's.

#include "tests/integration/chaos/chaos_clients.h"
#include "tests/integration/chaos/chaos_cluster.h"
#include "tests/integration/chaos/chaos_end_state.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

namespace glance::testing::chaos {
namespace {

constexpr int kClients = 3;

unsigned env_number(const char* name, unsigned fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<unsigned>(std::stoul(v)) : fallback;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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
}  // namespace glance::testing::chaos
