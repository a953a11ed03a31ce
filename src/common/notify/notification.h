#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace glance::common::notify {

// oslo.messaging's notification priorities that Glance uses.
enum class Priority { info, warn, error };

// "INFO", "WARN", "ERROR": the priority as a message carries it.
const char* priority_name(Priority priority);
// "info", "warn", "error": the suffix of the routing key (<topic>.<suffix>).
const char* priority_key(Priority priority);

// One event, as a caller hands it to a Notifier: what happened and its payload.
struct Notification {
  Priority priority = Priority::info;
  std::string event_type;  // e.g. "image.upload"
  nlohmann::json payload;
};

// What oslo.messaging adds to each notification when it is sent.
struct MessageStamp {
  std::string publisher_id;  // e.g. "image.localhost"
  std::string message_id;    // a UUID, with dashes
  std::string unique_id;     // 32 hex digits, the AMQP driver's duplicate detection key
  std::chrono::system_clock::time_point timestamp;
};

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, as str() of Python's datetime.utcnow() writes it.
std::string format_timestamp(std::chrono::system_clock::time_point when);

// The message as oslo.messaging's Notifier builds it (the "messaging" driver sends this
// object as the body): message_id, publisher_id, event_type, priority, payload, timestamp,
// and the AMQP driver's _unique_id.
nlohmann::json notification_message(const Notification& n, const MessageStamp& stamp);

// The body the "messagingv2" driver sends: {"oslo.version": "2.0", "oslo.message": <the
// message above, serialized into a string>}.
std::string messaging_v2_body(const Notification& n, const MessageStamp& stamp);

// The body the "messaging" (version 1) driver sends: the message itself.
std::string messaging_v1_body(const Notification& n, const MessageStamp& stamp);

// Whether `event_type` is switched off by disabled_notifications, as Glance decides it: an
// entry names either the event itself ("image.create") or its group, the part before the
// first dot ("image").
bool is_disabled(const std::string& event_type, const std::vector<std::string>& disabled);

}  // namespace glance::common::notify
