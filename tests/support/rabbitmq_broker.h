#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace glance::testing {

// The RabbitMQ that ctest starts once per run (scripts/rabbitmq-aio.sh, the rabbitmq fixture
// in tests/CMakeLists.txt) on a loopback port; user guest, password guest. Read once from
// $GLANCE_TEST_RABBITMQ_DIR/rabbitmq.env; throws std::runtime_error (failing the test) when
// missing. Declare such tests with glance_add_test(... NEEDS_RABBITMQ ...).
struct RabbitmqBroker {
  std::string url;  // rabbit://guest:guest@127.0.0.1:PORT/
  int port = 0;
};
const RabbitmqBroker& rabbitmq_broker();

// A RabbitMQ of a test's own (same script, a fresh directory), which the test may halt and
// resume on the same port: an outage the shared one must not suffer. Stopped by the
// destructor.
class PrivateRabbitmq {
 public:
  PrivateRabbitmq();  // starts it; throws with the script's output when that fails
  ~PrivateRabbitmq();
  PrivateRabbitmq(const PrivateRabbitmq&) = delete;
  PrivateRabbitmq& operator=(const PrivateRabbitmq&) = delete;
  const RabbitmqBroker& broker() const { return broker_; }
  void halt();    // stops the broker; its port stays its own
  void resume();  // starts it again on the same port; throws when that fails

 private:
  std::string dir_;
  RabbitmqBroker broker_;
};

// oslo.messaging's notification listener (tests/support/notification_listener.py under
// Debian's /usr/bin/python3) consuming `exchange` on the broker at `url` from a queue of its
// own, recording every event it decodes. The constructor returns once its queue is bound;
// the destructor stops it.
class NotificationListener {
 public:
  explicit NotificationListener(const std::string& url, const std::string& exchange = "glance");
  ~NotificationListener();
  NotificationListener(const NotificationListener&) = delete;
  NotificationListener& operator=(const NotificationListener&) = delete;

  // Every event received so far: {"priority", "publisher_id", "event_type", "payload",
  // "metadata"}, in arrival order.
  std::vector<nlohmann::json> events() const;
  // The events for which `match` holds, once there are at least `count` of them, or after
  // `timeout` whatever there are.
  std::vector<nlohmann::json> wait_for(
      const std::function<bool(const nlohmann::json&)>& match, size_t count,
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  std::string dir_;
  std::string out_;
  pid_t pid_ = -1;
};

}  // namespace glance::testing
