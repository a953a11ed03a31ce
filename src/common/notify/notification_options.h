#pragma once

#include "common/config_file.h"
#include "common/notify/transport_url.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace glance::common::notify {

// How notifications leave the daemon: oslo.messaging's [oslo_messaging_notifications] driver.
enum class NotifyDriver { noop, log, messaging, messagingv2 };

// The notification options, with oslo.messaging's and Glance's names and defaults.
struct NotificationOptions {
  // [oslo_messaging_notifications] driver; none (oslo's default) sends nothing.
  std::vector<NotifyDriver> drivers;
  // [oslo_messaging_notifications] topics: each notification goes to every one.
  std::vector<std::string> topics{"notifications"};
  // [oslo_messaging_notifications] transport_url, else [DEFAULT] transport_url; needed by
  // the messaging drivers only.
  std::optional<TransportUrl> transport;
  // [DEFAULT] control_exchange: glance-api sets oslo.messaging's default to "glance".
  std::string exchange = "glance";
  // [DEFAULT] default_publisher_id, Glance's default.
  std::string publisher_id = "image.localhost";
  // [DEFAULT] disabled_notifications: event types or groups ("image.create", "image").
  std::vector<std::string> disabled;
  // [oslo_messaging_rabbit] amqp_durable_queues and amqp_auto_delete, for the exchange and
  // the queue each topic declares, as oslo.messaging's rabbit driver declares them.
  bool durable = false;
  bool auto_delete = false;
  // Not upstream (oslo.messaging blocks the sender instead): notifications waiting for the
  // broker, beyond which new ones are dropped and counted. 10000 of a few KiB each bound the
  // memory to tens of MiB while covering minutes of broker outage at a busy node's rate.
  size_t max_queued = 10000;
  // Not upstream: the longest pause between attempts to reach an absent broker.
  std::chrono::milliseconds max_reconnect_delay{5000};
};

// Reads the options above. An unknown driver, a bad transport_url, or a messaging driver
// without one is recorded in `file` naming the option (check_config_or_exit reports it).
NotificationOptions load_notification_options(ConfigFile& file);

}  // namespace glance::common::notify
