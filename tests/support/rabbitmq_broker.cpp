#include "tests/support/rabbitmq_broker.h"

#include "tests/support/eventually.h"
#include "tests/support/fixture_env.h"
#include "tests/support/mariadb_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace glance::testing {

namespace {

const std::string kScript = std::string(GLANCE_SOURCE_DIR) + "/scripts/rabbitmq-aio.sh";

RabbitmqBroker read_broker(const FixtureEnv& env) {
  RabbitmqBroker b;
  b.url = env.get("RABBITMQ_URL");
  b.port = std::stoi(env.get("RABBITMQ_PORT"));
  return b;
}

void script(const std::string& command, const std::string& dir) {
  run_command(kScript + " " + command + " " + dir + " 2>&1");
}

}  // namespace

const RabbitmqBroker& rabbitmq_broker() {
  static const RabbitmqBroker broker = read_broker(FixtureEnv(
      "GLANCE_TEST_RABBITMQ_DIR", "rabbitmq.env",
      "run this test through ctest, which starts RabbitMQ (declare it with "
      "glance_add_test(... NEEDS_RABBITMQ ...)), or point the variable at a directory where "
      "scripts/rabbitmq-aio.sh start has run",
      "RabbitMQ did not start (see the rabbitmq_start test's output)"));
  return broker;
}

PrivateRabbitmq::PrivateRabbitmq() : dir_(make_temp_dir("glance-rabbitmq")) {
  try {
    script("start", dir_);
  } catch (...) {
    script("stop", dir_);
    throw;
  }
  broker_ = read_broker(FixtureEnv(dir_, "rabbitmq.env", "rabbitmq-aio.sh start wrote none"));
}

PrivateRabbitmq::~PrivateRabbitmq() {
  try {
    script("stop", dir_);
  } catch (const std::exception&) {
    // Nothing to do in a destructor: the script already tried everything.
  }
}

void PrivateRabbitmq::halt() {
  script("halt", dir_);
}

void PrivateRabbitmq::resume() {
  script("resume", dir_);
}

NotificationListener::NotificationListener(const std::string& url, const std::string& exchange)
    : dir_(make_temp_dir("glance-listener")), out_(dir_ + "/events.jsonl") {
  static std::atomic<int> serial{0};
  // A queue of its own: events are not shared with another listener of the same broker.
  const std::string pool =
      "glance-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++);
  const std::string py = std::string(GLANCE_SOURCE_DIR) + "/tests/support/notification_listener.py";
  const std::string log = dir_ + "/listener.log";
  std::vector<std::string> args{"/usr/bin/python3", py, url, exchange, pool, out_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start the notification listener");
  bool ready = eventually(
      [&] {
        std::ifstream in(out_);
        std::string first;
        if (std::getline(in, first) && first.find("ready") != std::string::npos) return true;
        return waitpid(pid_, nullptr, WNOHANG) == pid_ ? (pid_ = -1, true) : false;
      },
      std::chrono::seconds(60));
  if (!ready || pid_ < 0) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    throw std::runtime_error("the notification listener did not start: " + text);
  }
}

NotificationListener::~NotificationListener() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!eventually([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; },
                  std::chrono::seconds(20))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::vector<nlohmann::json> NotificationListener::events() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(out_);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    // A line still being written is incomplete; the next read sees it whole.
    if (j.is_discarded() || j.contains("ready")) continue;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<nlohmann::json> NotificationListener::wait_for(
    const std::function<bool(const nlohmann::json&)>& match, size_t count,
    std::chrono::milliseconds timeout) const {
  std::vector<nlohmann::json> found;
  eventually(
      [&] {
        found.clear();
        for (auto& e : events())
          if (match(e)) found.push_back(std::move(e));
        return found.size() >= count;
      },
      timeout);
  return found;
}

}  // namespace glance::testing
