#pragma once

#include "common/notify/notification.h"

namespace glance::common::notify {

// Where controllers send their events. Implementations never block on I/O and never fail:
// a notification that cannot be delivered is dropped and counted, never an error of the
// request that caused it. Safe for concurrent calls.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void notify(Notification notification) = 0;

  void info(std::string event_type, nlohmann::json payload) {
    notify({Priority::info, std::move(event_type), std::move(payload)});
  }
  void error(std::string event_type, nlohmann::json payload) {
    notify({Priority::error, std::move(event_type), std::move(payload)});
  }
};

// Sends nothing: driver noop, or no driver configured.
class NoopNotifier final : public Notifier {
 public:
  // glance::common::notify::Notifier
  void notify(Notification) override {}
};

}  // namespace glance::common::notify
